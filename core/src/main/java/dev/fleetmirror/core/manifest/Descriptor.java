package dev.fleetmirror.core.manifest;

import dev.fleetmirror.core.digest.Digest;
import java.util.Map;
import java.util.Objects;

/**
 * An OCI content descriptor as it appears in manifests, indexes and the referrers response.
 * {@code artifactType} and {@code annotations} may be null/empty.
 */
public record Descriptor(String mediaType, Digest digest, long size, String artifactType,
                         Map<String, String> annotations) {
    public Descriptor {
        Objects.requireNonNull(digest, "digest");
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }

    public Descriptor(String mediaType, Digest digest, long size) {
        this(mediaType, digest, size, null, Map.of());
    }
}
