package dev.fleetmirror.coordination.cache;

import dev.fleetmirror.coordination.testing.LoopbackCluster;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Two Hazelcast members on loopback, each with its near cache of the shared index. */
class ClusterIndexedManifestsTest extends IndexedManifestsContract {
    private static LoopbackCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = LoopbackCluster.start(2);
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    @Override
    ManifestIndex index(int member) {
        return SharedCaches.on(cluster.member(member)).manifestIndex();
    }

    @Override
    ManifestIndex index(int member, Duration ttl) {
        return new GenerationalManifestIndex(
                new HazelcastExpiringMap(cluster.member(member), SharedCaches.MANIFEST_GENERATIONS_MAP, 1_000, 0),
                new HazelcastExpiringMap(cluster.member(member), SharedCaches.MANIFEST_INDEX_MAP, 1_000, 1_000), ttl);
    }
}
