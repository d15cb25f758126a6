package dev.fleetmirror.node.upstream;

import dev.fleetmirror.core.digest.Digest;
import java.util.Optional;

/** A manifest as the upstream sent it: exact bytes, its Content-Type and the digest it claimed. */
public record FetchedManifest(byte[] content, String contentType, Optional<Digest> claimedDigest) {
}
