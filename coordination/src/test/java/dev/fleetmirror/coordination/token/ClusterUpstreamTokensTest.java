package dev.fleetmirror.coordination.token;

import dev.fleetmirror.coordination.SharedCaches;
import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.map.IMap;
import dev.fleetmirror.coordination.testing.LoopbackCluster;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Three Hazelcast members on loopback share upstream tokens through one IMap. */
class ClusterUpstreamTokensTest extends UpstreamTokensContract {
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
    UpstreamTokens member(int index) {
        return SharedCaches.on(cluster.member(index)).upstreamTokens();
    }

    @Test
    void theSharedMapHoldsNoPassword() {
        member(0).put(key, new SharedToken("tok-1", Instant.now().plusSeconds(60)));

        IMap<String, String> raw = cluster.member(2).getMap(SharedCaches.UPSTREAM_TOKENS_MAP);
        assertThat(raw.entrySet()).isNotEmpty().allSatisfy(entry -> {
            assertThat(entry.getKey()).doesNotContain("pa55").doesNotContain("robot");
            assertThat(entry.getValue()).doesNotContain("pa55");
        });
    }
}
