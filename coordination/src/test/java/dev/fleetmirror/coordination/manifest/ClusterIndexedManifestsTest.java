package dev.fleetmirror.coordination.manifest;

import dev.fleetmirror.coordination.SharedCaches;
import dev.fleetmirror.coordination.expiring.HazelcastExpiringMap;
import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.map.IMap;
import com.hazelcast.nearcache.NearCacheStats;
import dev.fleetmirror.coordination.testing.LoopbackCluster;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

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

    @Test
    void repeatedReadsAreAnsweredFromTheMembersNearCache() {
        push(0, 1);
        members[1].get(repo, tag);
        // What a member writes into the map leaves its near cache; the next read brings it in.
        members[1].get(repo, tag);
        IMap<String, String> entries = cluster.member(1).getMap(SharedCaches.MANIFEST_INDEX_MAP);
        long hitsBefore = nearCache(entries).getHits();

        for (int i = 0; i < 20; i++) {
            members[1].get(repo, tag);
        }

        assertThat(nearCache(entries).getHits() - hitsBefore).as("tag and manifest entries, twenty times")
                .isGreaterThanOrEqualTo(40);
    }

    private static NearCacheStats nearCache(IMap<String, String> map) {
        return map.getLocalMapStats().getNearCacheStats();
    }
}
