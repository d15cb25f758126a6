package dev.fleetmirror.node.fill;

import dev.fleetmirror.core.digest.Digest;

/**
 * Starts fetching a blob into a new {@link Fill} and returns at once (the fetch runs elsewhere).
 * The in-flight registry calls it at most once per fill, for the caller that becomes the owner.
 */
@FunctionalInterface
public interface FillStarter {
    Fill start(Digest digest);
}
