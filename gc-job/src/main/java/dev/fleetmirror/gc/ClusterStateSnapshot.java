package dev.fleetmirror.gc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fleetmirror.core.storage.PathNotFoundException;
import dev.fleetmirror.core.storage.StorageDriver;
import dev.fleetmirror.core.storage.StoragePaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * What a running cluster says about itself in its storage, so that a process outside it (the
 * offline {@code fleetmirror gc}) can tell whether the storage is live and writable:
 * {@code /fleetmirror/cluster/state.json} = {@code {"cluster", "mode", "updated"}}, rewritten by the
 * cluster on every mode change and at least every {@link #REFRESH}, and by the last member to
 * stop cleanly with the mode {@link #STOPPED}.
 *
 * @param mode {@code READ_WRITE}, {@code DRAINING}, {@code READ_ONLY}, or {@code STOPPED}
 */
public record ClusterStateSnapshot(String cluster, String mode, Instant updated) {
    public static final String PATH = StoragePaths.FLEETMIRROR + "/cluster/state.json";
    public static final Duration REFRESH = Duration.ofSeconds(10);
    /** A snapshot younger than this belongs to a cluster that is running. */
    public static final Duration LIVE = Duration.ofSeconds(30);
    public static final String READ_ONLY = "READ_ONLY";
    /** Written by the last member as it stops: no cluster runs on this storage any more. */
    public static final String STOPPED = "STOPPED";
    private static final ObjectMapper JSON = new ObjectMapper();

    public static Optional<ClusterStateSnapshot> read(StorageDriver storage) {
        byte[] body;
        try {
            body = storage.getContent(PATH);
        } catch (PathNotFoundException e) {
            return Optional.empty();
        }
        try {
            JsonNode root = JSON.readTree(body);
            return Optional.of(new ClusterStateSnapshot(root.path("cluster").asText(), root.path("mode").asText(),
                    Instant.parse(root.path("updated").asText())));
        } catch (IOException | RuntimeException e) {
            // Unreadable: treat as a live cluster that is not read-only, the safe reading.
            return Optional.of(new ClusterStateSnapshot("unknown", "UNREADABLE", Instant.now()));
        }
    }

    public void write(StorageDriver storage) {
        ObjectNode root = JSON.createObjectNode();
        root.put("cluster", cluster);
        root.put("mode", mode);
        root.put("updated", updated.toString());
        try {
            storage.putContent(PATH, JSON.writeValueAsBytes(root));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * True when a cluster updated this recently and is neither read-only nor stopped: nothing may be
     * deleted under it.
     */
    public boolean forbidsDeletion(Instant now) {
        return Duration.between(updated, now).compareTo(LIVE) < 0 && !READ_ONLY.equals(mode) && !STOPPED.equals(mode);
    }
}
