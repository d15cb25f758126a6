package dev.fleetmirror.node.proxy;

import static dev.fleetmirror.node.proxy.MirrorFixture.blobData;
import static dev.fleetmirror.node.proxy.MirrorFixture.pull;
import static dev.fleetmirror.node.proxy.MirrorFixture.uri;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fleetmirror.coordination.fill.FillHolder;
import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.node.FleetMirrorNode;
import dev.fleetmirror.node.fill.PeerProtocol;
import dev.fleetmirror.node.config.HttpConfig;
import dev.fleetmirror.node.config.NodeConfig;
import dev.fleetmirror.node.config.ProxyConfig;
import dev.fleetmirror.node.config.StorageBackend;
import dev.fleetmirror.node.config.StorageConfig;
import dev.fleetmirror.node.config.UpstreamConfig;
import dev.fleetmirror.node.testing.CapturedLogs;
import dev.fleetmirror.node.testing.FillsInFlight;
import dev.fleetmirror.node.testing.RegistryHttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three nodes in one JVM, each with its own Hazelcast member (real members over loopback TCP),
 * sharing one storage directory as they would share a bucket, mirroring one real docker-registry
 * behind a {@link TokenGate} that can trickle blobs so fills overlap. The upstream's access log
 * says exactly what the cluster fetched.
 */
class ClusterFillTest {
    private static final String SECRET = "s3cret-" + UUID.randomUUID();

    @TempDir
    Path work;

    @RegisterExtension
    final MirrorRig rig = new MirrorRig("cluster-upstream");

    private final List<FleetMirrorNode> nodes = new ArrayList<>();

    @RegisterExtension
    final CapturedLogs accessLog = new CapturedLogs(dev.fleetmirror.node.metrics.AccessLog.LOGGER,
            ch.qos.logback.classic.Level.INFO);

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
        LoopbackNodes.start(members, SECRET, Duration.ofSeconds(2), i -> NodeConfig.defaults()
                .withHttp(HttpConfig.loopback(0))
                .withStorage(StorageConfig.of(new StorageBackend.Filesystem(storage())))
                .withProxy(ProxyConfig.none().withUpstreams(List.of(new UpstreamConfig("gated", rig.gate().baseUri(),
                                Optional.of("robot"), Optional.of("pa55"), "", true).withPrivacy(UpstreamConfig.Privacy.PUBLIC)))
                        .withTagTtl(Duration.ofMinutes(1)).withSpoolDirectory(work.resolve("spool-" + i))), nodes);
    }

    private Path storage() {
        return work.resolve("shared-storage");
    }

    @Test
    void concurrentPullsSpreadOverThreeMembersFetchEachBlobFromUpstreamOnce() throws Exception {
        TestImage image = TestImage.random(51, 2 * 1024 * 1024, 1024 * 1024, 3 * 1024 * 1024);
        image.push(rig.upstream().baseUri(), "team/popular", "v1");
        startCluster(3);
        rig.gate().slowBlobs(2);
        int clients = 12;
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<Map<Digest, byte[]>>> pulls = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            FleetMirrorNode node = nodes.get(i % nodes.size());
            pulls.add(CompletableFuture.supplyAsync(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                return pull(uri(node), "team/popular", "v1");
            }));
        }
        go.countDown();
        for (CompletableFuture<Map<Digest, byte[]>> result : pulls) {
            Map<Digest, byte[]> blobs = result.get(120, TimeUnit.SECONDS);
            for (Digest blob : image.blobDigests()) {
                assertThat(blobs.get(blob)).as("what a client got for " + blob).isEqualTo(image.blob(blob));
            }
        }
        for (Digest blob : image.blobDigests()) {
            assertThat(blobGets(blob)).as("upstream GETs of " + blob).hasSize(1);
            awaitStored(blob, image.blob(blob));
        }
    }

    @Test
    void aRequestsIdGoesAlongToTheMemberItStreamsFrom() throws Exception {
        TestImage image = TestImage.random(53, 3 * 1024 * 1024);
        image.push(rig.upstream().baseUri(), "team/traced", "v1");
        Digest layer = image.blobDigests().get(1);
        startCluster(2);
        rig.gate().slowBlobs(2);
        FleetMirrorNode owner = nodes.get(0);
        CompletableFuture<Integer> ownersClient = CompletableFuture.supplyAsync(() -> new RegistryHttpClient(uri(owner))
                .call("GET", "/v2/team/traced/blobs/" + layer).send().status());
        assertThat(awaitHolder(layer).memberId()).isEqualTo(owner.coordination().memberId());
        RegistryHttpClient.Response follower = new RegistryHttpClient(uri(nodes.get(1)))
                .call("GET", "/v2/team/traced/blobs/" + layer).header("X-Request-Id", "traced-pull-1").send();
        assertThat(Digest.sha256(follower.body())).isEqualTo(layer);
        assertThat(ownersClient.get(60, TimeUnit.SECONDS)).isEqualTo(200);
        // The owner's access log has the peer request made for the follower's client, under that client's id.
        assertThat(accessLog.messages())
                .anySatisfy(line -> assertThat(line).contains("/_fleetmirror/peer/").contains("id=traced-pull-1"));
    }

    @Test
    void aMemberLeavingMidFillIsTakenOverFromTheBytesAlreadySpooledAndNoOtherClientBreaks() throws Exception {
        int size = 6 * 1024 * 1024;
        TestImage image = TestImage.random(52, size);
        image.push(rig.upstream().baseUri(), "team/big", "v1");
        Digest layer = image.blobDigests().get(1);
        startCluster(3);
        rig.gate().slowBlobs(4);
        FleetMirrorNode owner = nodes.get(0);
        CompletableFuture<Integer> ownersClient = CompletableFuture.supplyAsync(() -> statusOf(owner, layer));
        FillHolder holder = awaitHolder(layer);
        assertThat(holder.memberId()).isEqualTo(owner.coordination().memberId());
        List<CompletableFuture<byte[]>> others = new ArrayList<>();
        for (FleetMirrorNode node : nodes.subList(1, 3)) {
            others.add(CompletableFuture.supplyAsync(() -> new RegistryHttpClient(uri(node))
                    .call("GET", "/v2/team/big/blobs/" + layer).send().body()));
        }
        // The owner leaves mid-fill only once both other members follow its fill with fills of their own.
        for (FleetMirrorNode node : nodes.subList(1, 3)) {
            await("a fill following the owner's on " + uri(node)).atMost(Duration.ofSeconds(20))
                    .until(() -> FillsInFlight.count(uri(node)) > 0);
        }

        owner.close(0).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        nodes.remove(owner);

        for (CompletableFuture<byte[]> other : others) {
            assertThat(Digest.sha256(other.get(120, TimeUnit.SECONDS))).isEqualTo(layer);
        }
        ownersClient.handle((status, failure) -> null).get(30, TimeUnit.SECONDS);
        List<long[]> gets = blobGets(layer);
        // The access log is written as requests end, and the cut first GET may end after the second.
        assertThat(gets).as("upstream GETs (status, bytes) of " + layer).hasSize(2);
        assertThat(gets.stream().map(g -> g[0])).containsExactlyInAnyOrder(200L, 206L);
        long[] takeover = gets.stream().filter(g -> g[0] == 206).findFirst().orElseThrow();
        assertThat(takeover[1]).as("the takeover asks for the rest only").isLessThan(size);
        assertThat(gets.stream().mapToLong(g -> g[1]).sum()).as("upstream egress").isLessThanOrEqualTo(2L * size);
        awaitStored(layer, image.blob(layer));
    }

    @Test
    void peerEndpointDemandsTheClusterSecretAndSaysWhenItFillsNothing() throws Exception {
        startCluster(1);
        Digest unknown = Digest.sha256(new byte[] {1, 2, 3});
        RegistryHttpClient client = new RegistryHttpClient(uri(nodes.get(0)));

        RegistryHttpClient.Response anonymous = client.call("GET", PeerProtocol.PREFIX + "/v1/blobs/" + unknown).send();
        RegistryHttpClient.Response member = client.call("GET", PeerProtocol.PREFIX + "/v1/blobs/" + unknown)
                .header(PeerProtocol.SECRET_HEADER, SECRET).send();
        RegistryHttpClient.Response badDigest = client.call("GET", PeerProtocol.PREFIX + "/v1/blobs/sha256:xyz")
                .header(PeerProtocol.SECRET_HEADER, SECRET).send();

        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(anonymous.errorCodes()).containsExactly("UNAUTHORIZED");
        assertThat(member.status()).isEqualTo(404);
        assertThat(member.headerOrEmpty("X-Fleetmirror-Fill")).isEqualTo("none");
        assertThat(badDigest.status()).isEqualTo(400);
        assertThat(badDigest.errorCodes()).containsExactly("DIGEST_INVALID");
    }

    private static int statusOf(FleetMirrorNode node, Digest layer) {
        try {
            return new RegistryHttpClient(uri(node)).call("GET", "/v2/team/big/blobs/" + layer).send().status();
        } catch (RuntimeException broken) {
            return -1;
        }
    }

    private FillHolder awaitHolder(Digest digest) {
        return await("a member to take the fill of " + digest).atMost(Duration.ofSeconds(20))
                .until(() -> nodes.get(1).coordination().fills().holder(digest), holder -> holder.isPresent() && holder.get().size() > 0)
                .orElseThrow();
    }

    /** Status and bytes of every upstream GET of the blob, in order. */
    private List<long[]> blobGets(Digest digest) {
        Matcher m = Pattern.compile("\"GET /v2/team/[a-z]+/blobs/" + Pattern.quote(digest.toString())
                + " HTTP/1\\.1\" (\\d+) (\\d+)").matcher(rig.upstream().logText());
        List<long[]> gets = new ArrayList<>();
        while (m.find()) {
            gets.add(new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))});
        }
        return gets;
    }

    /** Stored once its owner's storage writer is done, and only as the verified bytes. */
    private void awaitStored(Digest digest, byte[] expected) throws Exception {
        Path data = blobData(storage(), digest);
        await(digest + " stored").atMost(Duration.ofSeconds(15)).until(() -> Files.isRegularFile(data));
        assertThat(Files.readAllBytes(data)).isEqualTo(expected);
    }
}
