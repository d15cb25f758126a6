package dev.fleetmirror.node.gc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fleetmirror.coordination.ClusterSettings;
import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.manifest.MediaTypes;
import dev.fleetmirror.core.storage.PathNotFoundException;
import dev.fleetmirror.core.storage.StorageDriver;
import dev.fleetmirror.core.storage.StoragePaths;
import dev.fleetmirror.core.testing.LocalProcesses;
import dev.fleetmirror.node.FleetMirrorNode;
import dev.fleetmirror.node.config.GcConfig;
import dev.fleetmirror.node.config.GcSchedule;
import dev.fleetmirror.node.config.HttpConfig;
import dev.fleetmirror.node.config.NodeConfig;
import dev.fleetmirror.node.config.ProxyConfig;
import dev.fleetmirror.node.config.StorageBackend;
import dev.fleetmirror.node.config.StorageConfig;
import dev.fleetmirror.node.config.StorageDrivers;
import dev.fleetmirror.node.config.UpstreamConfig;
import dev.fleetmirror.node.proxy.TestImage;
import dev.fleetmirror.node.testing.DistributionProcess;
import dev.fleetmirror.node.testing.RegistryHttpClient;
import dev.fleetmirror.storage.s3.testing.S3ProxyExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Garbage collection through the live path (the schedule, and {@code POST /admin/v1/gc}) on every
 * shape a deployment takes: hosted only, one mirror, mirror and hosted side by side, with
 * {@code proxy.ttl} unset (168h: expiry runs and keeps everything), set short (expiry unlinks the
 * cached image and the sweep deletes its blobs) and set to 0 (expiry off), and three members of a
 * cluster on S3 (S3Proxy). Upstreams are Debian's docker-registry. Every run must complete, delete
 * exactly the unreferenced blobs, and leave every kept image pulling completely, digests verified.
 * (Until the report was written field by field, every shape that mirrors failed here.)
 */
class LiveGcShapesTest {
    @RegisterExtension
    static final S3ProxyExtension S3 = new S3ProxyExtension("live-gc-shapes");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SECRET = "shapes-" + UUID.randomUUID();
    private static final Duration SHORT_TTL = Duration.ofSeconds(1);
    /**
     * The least time between the scheduled nodes' start and their run: the check that no run came
     * before the schedule's must come first, and the cached image must be older than
     * {@link #SHORT_TTL} by then.
     */
    private static final Duration MIN_MARGIN = Duration.ofMillis(1500);

    enum Shape {
        HOSTED_ONLY(false, true, Optional.empty(), 1),
        ONE_MIRROR(true, false, Optional.empty(), 1),
        ONE_MIRROR_SHORT_TTL(true, false, Optional.of(SHORT_TTL), 1),
        MIRROR_AND_HOSTED(true, true, Optional.empty(), 1),
        MIRROR_AND_HOSTED_TTL_OFF(true, true, Optional.of(Duration.ZERO), 1),
        CLUSTER_OF_THREE_ON_S3(true, true, Optional.empty(), 3);

        final boolean mirrors;
        final boolean hosts;
        final Optional<Duration> ttl;
        final int members;

        Shape(boolean mirrors, boolean hosts, Optional<Duration> ttl, int members) {
            this.mirrors = mirrors;
            this.hosts = hosts;
            this.ttl = ttl;
            this.members = members;
        }

        boolean expiresTheCachedImage() {
            return ttl.equals(Optional.of(SHORT_TTL));
        }

        boolean expiryRuns() {
            return mirrors && !ttl.equals(Optional.of(Duration.ZERO));
        }

        /** What clients call the mirrored image: behind a prefix when hosted names sit beside it. */
        String mirroredRepository() {
            return hosts ? "up/team/base" : "team/base";
        }
    }

    enum Trigger { SCHEDULE, ADMIN }

    static Stream<Arguments> shapes() {
        return Stream.of(Shape.values()).flatMap(shape -> Stream.of(Trigger.values()).map(t -> Arguments.of(shape, t)));
    }

    @TempDir
    Path work;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<FleetMirrorNode> nodes = new ArrayList<>();
    private DistributionProcess upstream;
    private StorageDriver storage;
    /** How long the last {@link #startNodes} took, from its call until every node served and saw the cluster. */
    private Duration lastStart = Duration.ZERO;

    @AfterEach
    void stop() throws Exception {
        for (FleetMirrorNode node : nodes) {
            node.close(1).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        if (storage != null) {
            storage.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("shapes")
    void collectsWhatNothingReferencesAndKeptImagesPullCompletely(Shape shape, Trigger trigger) throws Exception {
        TestImage mirrored = TestImage.random(301, 30_000, 20_000);
        if (shape.mirrors) {
            assumeTrue(DistributionProcess.available(), DistributionProcess.absentReason());
            upstream = DistributionProcess.start(work.resolve("upstream"), work.resolve("upstream-storage"), true, "");
            mirrored.push(upstream.baseUri(), "team/base", "v1");
        }
        StorageBackend backend = shape.members > 1
                ? new StorageBackend.S3(S3.config().withRootDirectory("/" + UUID.randomUUID()))
                : new StorageBackend.Filesystem(work.resolve("storage"));
        // The set-up runs on nodes without a schedule; for the scheduled trigger they are then started
        // again with a run due shortly after they are up, so a slow set-up never races the schedule.
        startNodes(shape, backend, new GcConfig(Optional.empty(), false, Duration.ZERO, GcConfig.DEFAULT_MAX_HOLD, Duration.ZERO));
        storage = StorageDrivers.open(backend);

        // What must survive: the image cached from upstream, and a hosted image.
        Instant pulled = null;
        if (shape.mirrors) {
            assertPullsCompletely(uri(nodes.get(0)), shape.mirroredRepository(), "v1", mirrored);
            pulled = Instant.now();
        }
        TestImage hosted = TestImage.random(302, 25_000, 15_000);
        TestImage dropped = TestImage.random(303, 35_000);
        List<Digest> garbage = new ArrayList<>();
        if (shape.hosts) {
            hosted.push(uri(nodes.get(0)), "team/app", "kept");
            dropped.push(uri(nodes.get(0)), "team/app", "dropped");
            RegistryHttpClient.Response deleted = new RegistryHttpClient(uri(nodes.get(nodes.size() - 1)))
                    .call("DELETE", "/v2/team/app/manifests/" + dropped.digest()).send();
            assertThat(deleted.status()).as(deleted.toString()).isEqualTo(202);
            garbage.add(dropped.digest());
            garbage.addAll(dropped.blobDigests());
        }
        // A blob nothing references, as an upload abandoned before its manifest leaves behind.
        byte[] orphan = ("orphan of " + shape + " " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
        storage.putContent(StoragePaths.blobData(Digest.sha256(orphan)), orphan);
        garbage.add(Digest.sha256(orphan));
        List<Digest> expiring = new ArrayList<>();
        if (shape.expiresTheCachedImage()) {
            expiring.add(mirrored.digest());
            expiring.addAll(mirrored.blobDigests());
        }

        List<JsonNode> reports = new ArrayList<>();
        if (trigger == Trigger.SCHEDULE) {
            Instant due = restartWithScheduledRun(shape, backend);
            if (pulled != null && shape.expiresTheCachedImage()) {
                assertThat(pulled.plus(SHORT_TTL)).as("the cached image is older than proxy.ttl when the run is due")
                        .isBefore(due);
            }
            assertThat(gcStatus(nodes.get(0)).path("latest").isNull()).as("no run before the schedule's").isTrue();
            await("the scheduled run's report").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                    .until(() -> {
                        JsonNode status = gcStatus(nodes.get(nodes.size() - 1));
                        return status.path("running").isNull() && status.path("latest").path("trigger").asText().equals("schedule");
                    });
            reports.add(gcStatus(nodes.get(nodes.size() - 1)).path("latest"));
        } else {
            // Any member may be asked; in the cluster, the youngest.
            FleetMirrorNode asked = nodes.get(nodes.size() - 1);
            reports.add(runNow(asked));
            if (shape.expiresTheCachedImage()) {
                // Expiry counts from the last pull: run again until a run found the image older than the TTL.
                await("a run that expired the cached image").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                        .until(() -> {
                            if (reports.get(reports.size() - 1).path("expiryManifestsUnlinked").asInt() > 0) {
                                return true;
                            }
                            reports.add(runNow(asked));
                            return false;
                        });
            }
        }

        for (JsonNode report : reports) {
            assertThat(report.path("outcome").asText()).as(report.toString()).isEqualTo("completed");
            assertThat(report.has("error")).as(report.toString()).isFalse();
            assertThat(report.has("collection")).as("the report is flat: " + report).isFalse();
            assertThat(report.path("expiry").asText()).as(report.toString()).isEqualTo(shape.expiryRuns() ? "ran" : "off");
            assertThat(report.path("durationMillis").isIntegralNumber()).as(report.toString()).isTrue();
        }
        JsonNode last = reports.get(reports.size() - 1);
        assertThat(reports.stream().mapToLong(r -> r.path("blobsDeleted").asLong()).sum())
                .as("blobs deleted over the run(s): %s", reports).isEqualTo(garbage.size() + expiring.size());
        assertThat(reports.stream().mapToLong(r -> r.path("expiryManifestsUnlinked").asLong()).sum())
                .isEqualTo(shape.expiresTheCachedImage() ? 1 : 0);
        for (Digest digest : garbage) {
            assertThat(stored(digest)).as("unreferenced %s deleted", digest).isFalse();
        }
        for (Digest digest : expiring) {
            assertThat(stored(digest)).as("expired %s deleted", digest).isFalse();
        }
        if (shape.mirrors && !shape.expiresTheCachedImage()) {
            for (Digest digest : mirrored.blobDigests()) {
                assertThat(stored(digest)).as("cached %s kept", digest).isTrue();
            }
        }
        for (FleetMirrorNode node : nodes) {
            assertThat(node.coordination().mode().current().name()).isEqualTo("READ_WRITE");
            if (shape.hosts) {
                assertPullsCompletely(uri(node), "team/app", "kept", hosted);
                RegistryHttpClient.Response gone = new RegistryHttpClient(uri(node))
                        .call("GET", "/v2/team/app/blobs/" + dropped.blobDigests().get(1)).send();
                assertThat(gone.status()).as(gone.toString()).isEqualTo(404);
            }
            if (shape.mirrors) {
                assertPullsCompletely(uri(node), shape.mirroredRepository(), "v1", mirrored);
            }
        }
        JsonNode shown = JSON.readTree(get(nodes.get(0), "/ui/status.json").body()).path("lastGc");
        assertThat(shown.path("outcome").asText()).isEqualTo("completed");
        assertThat(shown.path("blobsDeleted").asLong()).as("the status page shows the last run").isEqualTo(last.path("blobsDeleted").asLong());
        for (String field : List.of("windowMillis", "markMillis", "writesHeld", "longestHoldMillis")) {
            assertThat(shown.path(field).isNumber()).as("the status page shows the last run's %s", field).isTrue();
            assertThat(shown.path(field).asLong()).as(field).isEqualTo(last.path(field).asLong());
        }
    }

    /**
     * Stops the nodes and starts them again with a daily run due shortly after they are up; the start
     * is what the margin covers, not the set-up. The margin is twice what the set-up's start of the
     * same nodes took, at least {@link #MIN_MARGIN} and at most 4 s (10 s for a cluster), so a quiet
     * machine does not wait seconds for the run. Should a start outlast the margin (the run would
     * then be due tomorrow), they are started again with a margin twice as long.
     */
    private Instant restartWithScheduledRun(Shape shape, StorageBackend backend) throws Exception {
        Duration most = shape.members > 1 ? Duration.ofSeconds(10) : Duration.ofSeconds(4);
        Duration margin = lastStart.multipliedBy(2);
        margin = margin.compareTo(MIN_MARGIN) < 0 ? MIN_MARGIN : margin.compareTo(most) > 0 ? most : margin;
        for (int attempt = 0; ; attempt++) {
            for (FleetMirrorNode node : nodes) {
                node.close(1).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            }
            nodes.clear();
            Instant due = Instant.now().plus(margin);
            startNodes(shape, backend, new GcConfig(Optional.of(new GcSchedule.Daily(due.atZone(ZoneOffset.UTC).toLocalTime())),
                    false, Duration.ZERO, GcConfig.DEFAULT_MAX_HOLD, Duration.ZERO));
            if (Instant.now().isBefore(due.minusMillis(500))) {
                return due;
            }
            assertThat(attempt).as("the nodes never started within %s of their scheduled run", margin).isLessThan(3);
            margin = margin.multipliedBy(2);
        }
    }

    private void startNodes(Shape shape, StorageBackend backend, GcConfig gc) throws Exception {
        long began = System.nanoTime();
        startNodesUntimed(shape, backend, gc);
        lastStart = Duration.ofNanos(System.nanoTime() - began);
    }

    private void startNodesUntimed(Shape shape, StorageBackend backend, GcConfig gc) throws Exception {
        List<NodeConfig> configs = new ArrayList<>();
        for (int i = 0; i < shape.members; i++) {
            NodeConfig config = NodeConfig.defaults()
                    .withHttp(HttpConfig.loopback(0))
                    .withStorage(StorageConfig.of(backend))
                    .withGc(gc)
                    .withProxy(ProxyConfig.none());
            if (shape.mirrors) {
                ProxyConfig proxy = ProxyConfig.none()
                        .withUpstreams(List.of(new UpstreamConfig("upstream", upstream.baseUri(), Optional.empty(),
                                Optional.empty(), shape.hosts ? "up/" : "", true)))
                        .withSpoolDirectory(work.resolve("spool-" + i));
                config = config.withProxy(shape.ttl.map(proxy::withTtl).orElse(proxy));
            }
            configs.add(config);
        }
        if (shape.members == 1) {
            nodes.add(FleetMirrorNode.start(configs.get(0)).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS));
            return;
        }
        String name = "gc-shapes-" + UUID.randomUUID().toString().substring(0, 8);
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < shape.members; i++) {
            ports.add(LocalProcesses.freeMemberPort());
        }
        List<String> members = ports.stream().map(p -> "127.0.0.1:" + p).toList();
        List<CompletableFuture<FleetMirrorNode>> starting = new ArrayList<>();
        for (int i = 0; i < shape.members; i++) {
            ClusterSettings cluster = new ClusterSettings(name, "127.0.0.1", ports.get(i), members, false,
                    Optional.empty(), Optional.of(SECRET), 1, Duration.ofSeconds(5), "");
            starting.add(FleetMirrorNode.start(configs.get(i).withCluster(Optional.of(cluster)))
                    .toCompletionStage().toCompletableFuture());
        }
        for (CompletableFuture<FleetMirrorNode> node : starting) {
            nodes.add(node.get(90, TimeUnit.SECONDS));
        }
        await("the cluster formed").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> nodes.stream().allMatch(n -> n.coordination().view().members().size() == shape.members));
    }

    private JsonNode runNow(FleetMirrorNode node) throws Exception {
        HttpResponse<String> run = http.send(admin(node, "/admin/v1/gc").POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(run.statusCode()).as(run.body()).isEqualTo(200);
        return JSON.readTree(run.body());
    }

    private JsonNode gcStatus(FleetMirrorNode node) throws Exception {
        HttpResponse<String> status = get(node, "/admin/v1/gc");
        assertThat(status.statusCode()).as(status.body()).isEqualTo(200);
        return JSON.readTree(status.body());
    }

    private HttpResponse<String> get(FleetMirrorNode node, String path) throws Exception {
        return http.send(admin(node, path).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest.Builder admin(FleetMirrorNode node, String path) {
        return HttpRequest.newBuilder(uri(node).resolve(path)).header("X-Fleetmirror-Cluster-Secret", SECRET)
                .timeout(Duration.ofMinutes(2));
    }

    private boolean stored(Digest digest) {
        try {
            storage.stat(StoragePaths.blobData(digest));
            return true;
        } catch (PathNotFoundException e) {
            return false;
        }
    }

    private static URI uri(FleetMirrorNode node) {
        return URI.create("http://127.0.0.1:" + node.port());
    }

    /** Manifest and every blob, each compared with what was pushed and checked against its digest. */
    private static void assertPullsCompletely(URI registry, String repo, String reference, TestImage image) {
        RegistryHttpClient client = new RegistryHttpClient(registry);
        RegistryHttpClient.Response manifest = client.call("GET", "/v2/" + repo + "/manifests/" + reference)
                .header("Accept", MediaTypes.OCI_MANIFEST).send();
        assertThat(manifest.status()).as(manifest.toString()).isEqualTo(200);
        assertThat(Digest.sha256(manifest.body())).isEqualTo(image.digest());
        for (Digest blob : image.blobDigests()) {
            RegistryHttpClient.Response got = client.call("GET", "/v2/" + repo + "/blobs/" + blob).send();
            assertThat(got.status()).as(got.toString()).isEqualTo(200);
            assertThat(Digest.sha256(got.body())).as("%s@%s pulled completely", repo, blob).isEqualTo(blob);
        }
    }
}
