package dev.fleetmirror.core.registry;

import dev.fleetmirror.core.digest.Digest;
import java.util.Optional;

/** What a manifest PUT stored: its digest, and the {@code subject} it refers to, if any. */
public record ManifestPutResult(Digest digest, Optional<Digest> subject) {
}
