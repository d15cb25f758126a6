package dev.fleetmirror.core.registry;

import dev.fleetmirror.core.digest.Digest;

/** A manifest as stored: its exact bytes (manifests are at most 4 MiB), digest and media type. */
public record StoredManifest(Digest digest, String mediaType, byte[] content) {
}
