package dev.fleetmirror.coordination.tag;

import dev.fleetmirror.coordination.expiring.LocalExpiringMap;
import java.time.Duration;

/** A node without a cluster: its request threads share one in-memory freshness. */
class StandaloneTagFreshnessTest extends TagFreshnessContract {
    private final LocalExpiringMap entries = new LocalExpiringMap(1_000);

    @Override
    TagFreshness member(int index) {
        return new ClaimedTagFreshness(entries, "local");
    }

    @Override
    TagFreshness member(int index, Duration claimTtl, Duration wait) {
        return new ClaimedTagFreshness(entries, "local", claimTtl, wait);
    }
}
