package dev.fleetmirror.core.registry.stored;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.error.RegistryException;
import dev.fleetmirror.core.manifest.Descriptor;
import dev.fleetmirror.core.manifest.DescriptorJson;
import dev.fleetmirror.core.manifest.ManifestParser;
import dev.fleetmirror.core.manifest.MediaTypes;
import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.storage.PathNotFoundException;
import dev.fleetmirror.core.storage.StorageDriver;
import dev.fleetmirror.core.storage.StoragePaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The referrers of a mirrored image as its upstream last listed them, one small OCI index per
 * subject ({@link StoragePaths#mirroredReferrers}), so that a mirror answers the referrers API
 * between re-checks and while the upstream is down without having fetched every referrer. The
 * index is written in one canonical form (entries sorted by digest), so its digest names the list:
 * members of a cluster agree on a list by agreeing on that digest.
 */
public final class MirroredReferrers {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final StorageDriver driver;

    /** A list of referrers and the digest of its canonical index. */
    public record Snapshot(Digest digest, List<Descriptor> referrers) {
        public Snapshot {
            referrers = List.copyOf(referrers);
        }
    }

    public MirroredReferrers(StorageDriver driver) {
        this.driver = driver;
    }

    /** The list last written for {@code subject}; empty when none was, or what is there is unreadable. */
    public Optional<Snapshot> read(RepositoryName repo, Digest subject) {
        byte[] index;
        try {
            index = driver.getContent(StoragePaths.mirroredReferrers(repo, subject));
        } catch (PathNotFoundException e) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Snapshot(Digest.sha256(index),
                    ManifestParser.parse(MediaTypes.OCI_INDEX, index).manifests()));
        } catch (RegistryException unreadable) {
            return Optional.empty();
        }
    }

    /** Replaces the list kept for {@code subject}. */
    public Snapshot write(RepositoryName repo, Digest subject, List<Descriptor> referrers) {
        Snapshot snapshot = snapshot(referrers);
        driver.putContent(StoragePaths.mirroredReferrers(repo, subject), index(snapshot.referrers()));
        return snapshot;
    }

    /** The list in canonical order, with the digest its index has; nothing is written. */
    public static Snapshot snapshot(List<Descriptor> referrers) {
        List<Descriptor> sorted = referrers.stream().sorted(Comparator.comparing(Descriptor::digest)).toList();
        return new Snapshot(Digest.sha256(index(sorted)), sorted);
    }

    private static byte[] index(List<Descriptor> sorted) {
        ObjectNode index = JSON.createObjectNode();
        index.put("schemaVersion", 2);
        index.put("mediaType", MediaTypes.OCI_INDEX);
        ArrayNode manifests = index.putArray("manifests");
        sorted.forEach(d -> manifests.add(DescriptorJson.toJson(d)));
        try {
            return JSON.writeValueAsBytes(index);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
