package dev.fleetmirror.node.proxy;

import static dev.fleetmirror.node.proxy.MirrorFixture.requests;
import static dev.fleetmirror.node.proxy.MirrorFixture.uri;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.manifest.MediaTypes;
import dev.fleetmirror.node.FleetMirrorNode;
import dev.fleetmirror.node.config.UpstreamConfig;
import dev.fleetmirror.node.testing.RegistryHttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes in one JVM, members of a two-member Hazelcast cluster on loopback, serving one storage
 * directory and mirroring one docker-registry upstream: what the upstream's access log and token
 * service count is per cluster, not per node.
 */
class ClusterMirrorTest {
    @TempDir
    Path work;

    @RegisterExtension
    final MirrorRig rig = new MirrorRig("cluster-upstream");

    private final List<FleetMirrorNode> nodes = new ArrayList<>();

    @BeforeEach
    void startUpstream() {
        rig.startUpstream(work, "upstream", "");
    }

    @AfterEach
    void stopNodes() throws Exception {
        for (FleetMirrorNode node : nodes) {
            MirrorFixture.stop(node);
        }
    }

    /** Starts a two-member cluster of nodes on the shared storage directory, each with its own spool. */
    private void startNodes(Duration tagTtl, UpstreamConfig upstream) throws Exception {
        LoopbackNodes.start(2, "mirror-secret", Duration.ofSeconds(5), i -> MirrorFixture.config(work.resolve("storage"),
                work.resolve("spool-" + i), tagTtl, upstream), nodes);
    }

    @Test
    void tagIsCheckedUpstreamOncePerTtlForTheWholeCluster() throws Exception {
        TestImage image = TestImage.random(60, 1_000);
        image.push(rig.upstream().baseUri(), "team/app", "latest");
        startNodes(Duration.ofSeconds(3), MirrorFixture.catchAll(rig.upstream().baseUri()));
        String manifest = "/v2/team/app/manifests/latest";

        pullManifestConcurrently(16, image.digest());
        assertThat(requests(rig.upstream(), "HEAD", manifest)).as("cold: one check").isEqualTo(1);
        assertThat(requests(rig.upstream(), "GET", manifest)).as("cold: one fetch").isEqualTo(1);

        pullManifestConcurrently(16, image.digest());
        assertThat(requests(rig.upstream(), "HEAD", manifest)).as("within the TTL").isEqualTo(1);

        // Until the TTL ends (and Hazelcast may keep an entry up to a second past it) pulls find the tag fresh.
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(250)).until(() -> {
            pullManifestConcurrently(16, image.digest());
            return requests(rig.upstream(), "HEAD", manifest) > 1;
        });
        assertThat(requests(rig.upstream(), "HEAD", manifest)).as("after the TTL: one check for both nodes").isEqualTo(2);
        assertThat(requests(rig.upstream(), "GET", manifest)).as("the tag did not move").isEqualTo(1);
    }

    @Test
    void tokenFetchedByOneNodeServesTheOther() throws Exception {
        TestImage image = TestImage.random(61, 1_000);
        image.push(rig.upstream().baseUri(), "team/app", "v1");
        rig.track(TokenGate.start(rig.upstream().baseUri(), "robot", "pa55", "127.0.0.1"));
        startNodes(Duration.ofMinutes(1), new UpstreamConfig("gated", rig.gate().baseUri(), Optional.of("robot"),
                Optional.of("pa55"), "", true).withPrivacy(UpstreamConfig.Privacy.PUBLIC));

        assertThat(manifest(0, "team/app", image.digest().toString()).status()).isEqualTo(200);
        assertThat(manifest(1, "team/app", "v1").status()).isEqualTo(200);

        assertThat(rig.gate().tokenRequests()).containsExactly(new TokenGate.TokenRequest("repository:team/app:pull", true));
    }

    @Test
    void hostedTagMovedThroughOneNodeIsServedByTheOtherAtOnce() throws Exception {
        startNodes(Duration.ofMinutes(1), new UpstreamConfig("up", rig.upstream().baseUri(), Optional.empty(),
                Optional.empty(), "up/", true));
        TestImage first = TestImage.random(62, 1_000);
        TestImage second = TestImage.random(63, 1_000);
        first.push(uri(nodes.get(0)), "mine/app", "latest");
        assertThat(servedDigest(1, "mine/app", "latest")).isEqualTo(first.digest());
        assertThat(servedDigest(1, "mine/app", "latest")).isEqualTo(first.digest());

        second.push(uri(nodes.get(0)), "mine/app", "latest");

        assertThat(servedDigest(1, "mine/app", "latest")).isEqualTo(second.digest());
        RegistryHttpClient.Response deleted = new RegistryHttpClient(uri(nodes.get(0)))
                .call("DELETE", "/v2/mine/app/manifests/" + second.digest()).send();
        assertThat(deleted.status()).isEqualTo(202);
        assertThat(manifest(1, "mine/app", "latest").status()).isEqualTo(404);
        assertThat(manifest(1, "mine/app", second.digest().toString()).status()).isEqualTo(404);
    }

    private Digest servedDigest(int node, String repo, String reference) {
        RegistryHttpClient.Response response = manifest(node, repo, reference);
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        return Digest.sha256(response.body());
    }

    private RegistryHttpClient.Response manifest(int node, String repo, String reference) {
        return new RegistryHttpClient(uri(nodes.get(node))).call("GET", "/v2/" + repo + "/manifests/" + reference)
                .header("Accept", MediaTypes.OCI_MANIFEST).send();
    }

    /** {@code clients} GET the tag at once, alternating between the nodes; each must get the image. */
    private void pullManifestConcurrently(int clients, Digest expected) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<RegistryHttpClient.Response>> pulls = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                int node = i % nodes.size();
                pulls.add(pool.submit(() -> {
                    go.await();
                    return manifest(node, "team/app", "latest");
                }));
            }
            go.countDown();
            for (Future<RegistryHttpClient.Response> pull : pulls) {
                RegistryHttpClient.Response response = pull.get(30, TimeUnit.SECONDS);
                assertThat(response.status()).as(response.toString()).isEqualTo(200);
                assertThat(Digest.sha256(response.body())).isEqualTo(expected);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
