package dev.fleetmirror.coordination.mode;

import java.time.Duration;
import java.util.Optional;

/**
 * How a switch ended.
 *
 * @param mode    the cluster's mode afterwards
 * @param took    how long it took (the drain included)
 * @param failure why the requested mode was not reached (e.g. writes did not drain in time)
 */
public record SwitchOutcome(ClusterMode mode, Duration took, Optional<String> failure) {
    public boolean succeeded() {
        return failure.isEmpty();
    }
}
