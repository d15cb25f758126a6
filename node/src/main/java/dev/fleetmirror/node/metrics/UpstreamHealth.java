package dev.fleetmirror.node.metrics;

import java.time.Instant;
import java.util.Optional;

/** The last answer an upstream gave this node: its status (0 for none: unreachable) and when. */
public record UpstreamHealth(String upstream, int lastStatus, Instant at) {

    /** Whether the last request got an answer that is not a server error or a rate limit. */
    public boolean healthy() {
        return lastStatus != 0 && lastStatus < 500 && lastStatus != 429;
    }

    public Optional<Integer> status() {
        return lastStatus == 0 ? Optional.empty() : Optional.of(lastStatus);
    }
}
