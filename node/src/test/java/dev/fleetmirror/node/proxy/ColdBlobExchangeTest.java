package dev.fleetmirror.node.proxy;

import static dev.fleetmirror.node.proxy.MirrorFixture.requests;
import static dev.fleetmirror.node.proxy.MirrorFixture.uri;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.node.FleetMirrorNode;
import dev.fleetmirror.node.config.HttpConfig;
import dev.fleetmirror.node.config.NodeConfig;
import dev.fleetmirror.node.config.ProxyConfig;
import dev.fleetmirror.node.config.StorageBackend;
import dev.fleetmirror.node.config.StorageConfig;
import dev.fleetmirror.node.config.UpstreamConfig;
import dev.fleetmirror.node.testing.FillsInFlight;
import dev.fleetmirror.node.testing.RegistryHttpClient;
import dev.fleetmirror.node.testing.Skopeo;
import dev.fleetmirror.node.testing.SyntheticImages;
import dev.fleetmirror.storage.s3.S3StorageConfig;
import dev.fleetmirror.storage.s3.testing.S3ProxyExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cold path costs one upstream exchange per blob per cluster, HEADs included: three nodes on one
 * S3 bucket (S3Proxy), each with its own Hazelcast member, mirroring a real docker-registry behind a
 * {@link TokenGate} that can trickle blobs so that requests overlap the fill. What the cluster asked
 * the upstream is read from the upstream's own access log.
 */
class ColdBlobExchangeTest {
    private static final String SECRET = "s3cret-" + UUID.randomUUID();
    private static final int CLIENTS = 40;

    @RegisterExtension
    static final S3ProxyExtension S3 = new S3ProxyExtension("cold");

    @TempDir
    Path work;

    @RegisterExtension
    final MirrorRig rig = new MirrorRig("cold-upstream");

    private final List<FleetMirrorNode> nodes = new ArrayList<>();

    @BeforeEach
    void startUpstream() throws Exception {
        rig.startUpstream(work, "upstream", "");
        rig.track(TokenGate.start(rig.upstream().baseUri(), "robot", "pa55", "127.0.0.1"));
    }

    @AfterEach
    void stopNodes() throws Exception {
        for (FleetMirrorNode node : nodes) {
            MirrorFixture.stop(node);
        }
    }

    private void startCluster(int members) throws Exception {
        long min = S3StorageConfig.MIN_CHUNK_SIZE;
        // Every test keeps its keys under its own root: the bucket is shared by the class.
        S3StorageConfig s3 = S3.config().withChunkSizes(min, min, min).withRootDirectory("/" + UUID.randomUUID());
        LoopbackNodes.start(members, SECRET, Duration.ofSeconds(2), i -> NodeConfig.defaults()
                .withHttp(HttpConfig.loopback(0))
                .withStorage(StorageConfig.of(new StorageBackend.S3(s3)))
                .withProxy(ProxyConfig.none().withUpstreams(List.of(new UpstreamConfig("gated", rig.gate().baseUri(),
                                Optional.of("robot"), Optional.of("pa55"), "", true).withPrivacy(UpstreamConfig.Privacy.PUBLIC)))
                        .withTagTtl(Duration.ofMinutes(1)).withSpoolDirectory(work.resolve("spool-" + i))), nodes);
    }

    @Test
    void fortyConcurrentHeadsAndGetsOfOneUncachedBlobOnThreeMembersMakeOneUpstreamGetAndNoHead() throws Exception {
        int size = 4 * 1024 * 1024;
        TestImage image = TestImage.random(71, size);
        image.push(rig.upstream().baseUri(), "team/cold", "v1");
        Digest layer = image.blobDigests().get(1);
        String path = "/v2/team/cold/blobs/" + layer;
        startCluster(3);
        rig.gate().slowBlobs(2);

        List<CompletableFuture<RegistryHttpClient.Response>> answers = concurrently(CLIENTS, i ->
                new RegistryHttpClient(uri(nodes.get(i % nodes.size()))).call(i % 2 == 0 ? "GET" : "HEAD", path).send());

        for (int i = 0; i < CLIENTS; i++) {
            RegistryHttpClient.Response answer = answers.get(i).get(120, TimeUnit.SECONDS);
            assertThat(answer.status()).as("client %d: %s", i, answer).isEqualTo(200);
            assertThat(answer.header("Content-Length")).as("client %d's size", i).contains(Integer.toString(size));
            if (i % 2 == 0) {
                assertThat(answer.body()).as("client %d's bytes", i).isEqualTo(image.blob(layer));
            }
        }
        for (FleetMirrorNode node : nodes) {
            FillsInFlight.awaitNone(uri(node));
        }
        // The access log is written as a request ends: wait for the one GET to be there, then count.
        await("the upstream GET logged").atMost(Duration.ofSeconds(20)).until(() -> requests(rig.upstream(), "GET", path) >= 1);
        assertThat(requests(rig.upstream(), "GET", path)).as("upstream GETs of the blob").isEqualTo(1);
        assertThat(requests(rig.upstream(), "HEAD", path)).as("upstream HEADs of the blob").isZero();
        // Stored once, and served from the bucket afterwards by every member without asking the upstream.
        for (FleetMirrorNode node : nodes) {
            RegistryHttpClient.Response warm = new RegistryHttpClient(uri(node)).call("GET", path).send();
            assertThat(Digest.sha256(warm.body())).isEqualTo(layer);
        }
        assertThat(requests(rig.upstream(), "GET", path)).as("upstream GETs after the warm round").isEqualTo(1);
    }

    @Test
    void aBlobTheUpstreamDoesNotHaveIs404ToEveryWaiterAfterOneUpstreamRequest() throws Exception {
        Digest absent = Digest.sha256(("absent-" + UUID.randomUUID()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        TestImage image = TestImage.random(72, 1024);
        image.push(rig.upstream().baseUri(), "team/cold", "v1");
        String path = "/v2/team/cold/blobs/" + absent;
        startCluster(3);

        List<CompletableFuture<RegistryHttpClient.Response>> answers = concurrently(CLIENTS, i ->
                new RegistryHttpClient(uri(nodes.get(i % nodes.size()))).call(i % 2 == 0 ? "GET" : "HEAD", path).send());

        for (int i = 0; i < CLIENTS; i++) {
            RegistryHttpClient.Response answer = answers.get(i).get(120, TimeUnit.SECONDS);
            assertThat(answer.status()).as("client %d: %s", i, answer).isEqualTo(404);
            if (i % 2 == 0) {
                assertThat(answer.errorCodes()).as("client %d", i).containsExactly("BLOB_UNKNOWN");
            }
        }
        await("the upstream request logged").atMost(Duration.ofSeconds(20))
                .until(() -> requests(rig.upstream(), "GET", path) + requests(rig.upstream(), "HEAD", path) >= 1);
        assertThat(requests(rig.upstream(), "GET", path) + requests(rig.upstream(), "HEAD", path))
                .as("upstream requests for the absent blob").isEqualTo(1);
        assertThat(nodes.get(0).coordination().fills().inFlight()).as("nothing left filling").isEmpty();
    }

    @Test
    void aColdSkopeoCopyThroughOneNodeAsksTheUpstreamNoBlobHead() throws Exception {
        assumeTrue(Skopeo.available(), Skopeo.absentReason());
        Path source = work.resolve("source");
        new SyntheticImages(source).image("v1", 30, "amd64", 0.2, 0.05);
        Skopeo.copy("oci:" + source + ":v1", "docker://" + rig.upstream().hostAndPort() + "/team/app:v1", false);
        startCluster(1);
        FleetMirrorNode node = nodes.get(0);
        // The push asked the upstream its own HEADs: only what follows is the mirror's.
        int pushed = rig.upstream().logText().length();

        Skopeo.copy("docker://127.0.0.1:" + node.port() + "/team/app:v1", "oci:" + work.resolve("layout") + ":v1", false);

        List<Path> blobs;
        try (var files = Files.list(work.resolve("layout/blobs/sha256"))) {
            blobs = files.toList();
        }
        assertThat(blobs).hasSizeGreaterThanOrEqualTo(3);
        for (Path blob : blobs) {
            assertThat(Digest.sha256(Files.readAllBytes(blob)).hex()).isEqualTo(blob.getFileName().toString());
        }
        FillsInFlight.awaitNone(uri(node));
        String pull = rig.upstream().logText().substring(pushed);
        assertThat(pull).as("upstream blob HEADs of the pull").doesNotContain("\"HEAD /v2/team/app/blobs/")
                .contains("\"GET /v2/team/app/blobs/");
        for (Path blob : blobs) {
            assertThat(requests(rig.upstream(), "GET", "/v2/team/app/blobs/sha256:" + blob.getFileName()))
                    .as("upstream GETs of " + blob.getFileName()).isLessThanOrEqualTo(1);
        }
    }

    /** {@code count} calls started together from their own threads. */
    private static <T> List<CompletableFuture<T>> concurrently(int count, java.util.function.IntFunction<T> call) {
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<T>> results = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int client = i;
            Supplier<T> task = () -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                return call.apply(client);
            };
            results.add(CompletableFuture.supplyAsync(task, runnable -> new Thread(runnable, "client-" + client).start()));
        }
        go.countDown();
        return results;
    }
}
