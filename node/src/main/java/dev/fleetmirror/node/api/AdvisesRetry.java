package dev.fleetmirror.node.api;

import java.util.Optional;

/** A failure that tells the client when to try again: its error response carries {@code Retry-After}. */
public interface AdvisesRetry {
    Optional<String> retryAfter();
}
