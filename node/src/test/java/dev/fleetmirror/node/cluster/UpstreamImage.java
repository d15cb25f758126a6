package dev.fleetmirror.node.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fleetmirror.node.testing.SyntheticImages;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * A synthetic image published on the rig's upstream as {@code cluster/<tag>:<tag>}, and what a pull
 * of it through the mirror must deliver: its manifest digest and every blob with its size. Every
 * test pulls an image of its own, so each starts cold.
 *
 * @param blobs config first, then the layers: digest to size
 */
record UpstreamImage(String tag, String manifestDigest, Map<String, Long> blobs) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * An image to make: reproducible random layers of these sizes.
     *
     * @param layerMebibytes one layer per entry
     */
    record Spec(String tag, long seed, double... layerMebibytes) {
    }

    /**
     * Writes the image into an OCI layout of its own under {@code dir} (so images can be made in
     * parallel) and has {@code publisher} push it; returns what a pull must deliver.
     */
    static UpstreamImage make(Spec spec, Path dir, BiConsumer<Path, String> publisher) {
        SyntheticImages images = new SyntheticImages(dir.resolve(spec.tag()));
        String digest = images.image(spec.tag(), spec.seed(), "amd64", spec.layerMebibytes());
        publisher.accept(images.layout(), spec.tag());
        JsonNode manifest = read(images.layout().resolve("blobs/sha256/" + digest.substring("sha256:".length())));
        Map<String, Long> blobs = new LinkedHashMap<>();
        blobs.put(manifest.path("config").path("digest").asText(), manifest.path("config").path("size").asLong());
        manifest.path("layers").forEach(layer -> blobs.put(layer.path("digest").asText(), layer.path("size").asLong()));
        return new UpstreamImage(spec.tag(), digest, blobs);
    }

    /** The repository clients pull through the mirror. */
    String mirrored() {
        return ClusterRig.PREFIX + upstreamRepo();
    }

    /** The repository on the upstream. */
    String upstreamRepo() {
        return "cluster/" + tag;
    }

    /** The path of a blob as the upstream receives it. */
    String upstreamBlobPath(String digest) {
        return "/v2/" + upstreamRepo() + "/blobs/" + digest;
    }

    long bytes() {
        return blobs.values().stream().mapToLong(Long::longValue).sum();
    }

    /** The largest layer's digest. */
    String largestBlob() {
        return blobs.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
    }

    private static JsonNode read(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
