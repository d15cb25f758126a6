package dev.fleetmirror.coordination.tag;

import dev.fleetmirror.coordination.SharedCaches;
import dev.fleetmirror.coordination.expiring.HazelcastExpiringMap;
import dev.fleetmirror.coordination.testing.LoopbackCluster;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Three Hazelcast members on loopback share tag freshness through one IMap. */
class ClusterTagFreshnessTest extends TagFreshnessContract {
    private static LoopbackCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = LoopbackCluster.start(3);
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    @Override
    TagFreshness member(int index) {
        return SharedCaches.on(cluster.member(index)).tagFreshness();
    }

    @Override
    TagFreshness member(int index, Duration claimTtl, Duration wait) {
        return new ClaimedTagFreshness(new HazelcastExpiringMap(cluster.member(index), SharedCaches.TAG_FRESHNESS_MAP,
                1_000, 0), "member-" + index, claimTtl, wait);
    }
}
