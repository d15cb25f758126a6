package dev.fleetmirror.node.gc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.manifest.MediaTypes;
import dev.fleetmirror.core.testing.LocalProcesses;
import dev.fleetmirror.node.admin.PeerAccess;
import dev.fleetmirror.node.proxy.TestImage;
import dev.fleetmirror.node.testing.NodeProcess;
import dev.fleetmirror.node.testing.RegistryHttpClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Three node processes, one cluster, one storage directory: the member running a garbage
 * collection is SIGKILLed in the middle of its sweep. The next oldest member must end the run and
 * put the cluster back to read-write within a bounded time, and a later collection must complete
 * and leave every kept image intact.
 */
class GcLeaderIT {
    private static final Logger LOG = LoggerFactory.getLogger(GcLeaderIT.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SECRET = "gc-" + UUID.randomUUID();
    private static final int GARBAGE = 20_000;
    /** Hazelcast notices a killed member within seconds; the restore must follow soon after. */
    private static final Duration RESTORED_WITHIN = Duration.ofSeconds(30);

    @TempDir
    Path work;

    private final List<NodeProcess> nodes = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** Starts members side by side: a thread each, not the common pool. */
    private final ExecutorService starter = Executors.newCachedThreadPool();

    @AfterEach
    void stopNodes() {
        starter.shutdown();
        NodeProcess.closeAll(nodes);
    }

    @Test
    void leaderKilledMidSweepLeavesTheClusterReadWriteAndALaterCollectionCompletes() throws Exception {
        Path storage = work.resolve("storage");
        startCluster(storage, 3);
        TestImage kept = TestImage.random(71, 40_000, 50_000);
        kept.push(nodes.get(0).baseUri(), "team/app", "v1");
        List<Path> garbage = writeGarbage(storage, GARBAGE);

        NodeProcess leader = nodes.get(0);
        CompletableFuture<HttpResponse<String>> running = http.sendAsync(admin(leader, "/admin/v1/gc")
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        await("the sweep started").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(20))
                .until(() -> "sweep".equals(gcStatus(nodes.get(1)).path("running").path("phase").asText()));
        assertThat(mode(nodes.get(1))).as("writes are off during the collection").isEqualTo("READ_ONLY");
        long killed = System.nanoTime();
        leader.kill();
        nodes.remove(leader);
        assertThat(running).failsWithin(Duration.ofSeconds(10));

        await("read-write again").atMost(RESTORED_WITHIN).pollInterval(Duration.ofMillis(100))
                .until(() -> mode(nodes.get(0)).equals("READ_WRITE") && gcStatus(nodes.get(0)).path("running").isNull());
        LOG.info("measured: read-write {} ms after the collecting member was killed mid-sweep",
                (System.nanoTime() - killed) / 1_000_000);
        // The restoring member switches first and writes the abandoned run's report after.
        await("the abandoned run's report").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> gcStatus(nodes.get(1)).path("latest").path("outcome").asText().equals("abandoned"));
        JsonNode abandoned = gcStatus(nodes.get(1)).path("latest");
        assertThat(abandoned.path("abandonedInPhase").asText()).isEqualTo("sweep");
        long left = garbage.stream().filter(Files::exists).count();
        assertThat(left).as("the sweep was cut short").isPositive();

        TestImage pushedAfter = TestImage.random(72, 30_000);
        pushedAfter.push(nodes.get(1).baseUri(), "team/app", "v2");

        HttpResponse<String> second = http.send(admin(nodes.get(1), "/admin/v1/gc")
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(second.statusCode()).as(second.body()).isEqualTo(200);
        assertThat(JSON.readTree(second.body()).path("outcome").asText()).isEqualTo("completed");
        assertThat(garbage.stream().filter(Files::exists).count()).as("garbage left after a complete run").isZero();
        assertThat(mode(nodes.get(0))).isEqualTo("READ_WRITE");
        for (TestImage image : List.of(kept, pushedAfter)) {
            for (NodeProcess node : nodes) {
                assertPulls(node.baseUri(), image);
            }
        }
    }

    private void startCluster(Path storage, int size) {
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            ports.add(LocalProcesses.freeMemberPort());
        }
        String members = String.join(", ", ports.stream().map(p -> "\"127.0.0.1:" + p + "\"").toList());
        String name = "gc-" + UUID.randomUUID().toString().substring(0, 8);
        IntFunction<NodeProcess> start = i -> NodeProcess.start(work.resolve("node-" + i), storage, """
                cluster:
                  name: %s
                  port: %d
                  members: [%s]
                  secret: %s
                  minimumSize: 1
                  leaseTtl: 3s
                """.formatted(name, ports.get(i), members, SECRET), List.of("-Xmx256m"));
        // The first alone, so that it is the oldest member (the one that collects); the others at once.
        nodes.add(start.apply(0));
        List<CompletableFuture<NodeProcess>> others = new ArrayList<>();
        for (int i = 1; i < size; i++) {
            int member = i;
            others.add(CompletableFuture.supplyAsync(() -> start.apply(member), starter));
        }
        // Each added when it started, so that stopNodes stops it whatever happened to the others.
        List<Throwable> failures = new ArrayList<>();
        for (CompletableFuture<NodeProcess> other : others) {
            try {
                nodes.add(other.join());
            } catch (CompletionException e) {
                failures.add(e.getCause());
            }
        }
        if (!failures.isEmpty()) {
            throw new AssertionError("a member did not start", failures.get(0));
        }
        await("the cluster formed").atMost(LocalProcesses.READY_WITHIN).pollInterval(Duration.ofMillis(100))
                .until(() -> nodes.stream().allMatch(node -> clusterSize(node) == size));
    }

    /** Unreferenced blobs, old enough for any grace window, written straight into the layout. */
    private static List<Path> writeGarbage(Path storage, int count) throws IOException {
        Random random = new Random(5);
        FileTime old = FileTime.from(Instant.now().minus(Duration.ofDays(2)));
        List<Path> written = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] data = new byte[64];
            random.nextBytes(data);
            String hex = Digest.sha256(data).toString().substring("sha256:".length());
            Path file = storage.resolve("docker/registry/v2/blobs/sha256").resolve(hex.substring(0, 2)).resolve(hex).resolve("data");
            Files.createDirectories(file.getParent());
            Files.write(file, data);
            Files.setLastModifiedTime(file, old);
            written.add(file);
        }
        return written;
    }

    private static void assertPulls(URI node, TestImage image) {
        RegistryHttpClient client = new RegistryHttpClient(node);
        RegistryHttpClient.Response manifest = client.call("GET", "/v2/team/app/manifests/" + image.digest())
                .header("Accept", MediaTypes.OCI_MANIFEST).send();
        assertThat(manifest.status()).as(manifest.toString()).isEqualTo(200);
        assertThat(manifest.body()).isEqualTo(image.manifest());
        for (Digest blob : image.blobDigests()) {
            RegistryHttpClient.Response got = client.call("GET", "/v2/team/app/blobs/" + blob).send();
            assertThat(got.status()).as(node + " " + blob).isEqualTo(200);
            assertThat(got.body()).isEqualTo(image.blob(blob));
        }
    }

    private HttpRequest.Builder admin(NodeProcess node, String path) {
        return HttpRequest.newBuilder(node.baseUri().resolve(path)).header(PeerAccess.SECRET_HEADER, SECRET)
                .timeout(Duration.ofMinutes(3));
    }

    /**
     * One status read. Its bound is generous: with six node JVMs and two test JVMs on two cores, a
     * read once took over 5 s, and a poll that times out would end the wait it belongs to.
     */
    private JsonNode get(NodeProcess node, String path) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(admin(node, path).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private JsonNode gcStatus(NodeProcess node) throws IOException, InterruptedException {
        return get(node, "/admin/v1/gc");
    }

    private String mode(NodeProcess node) throws IOException, InterruptedException {
        return get(node, "/admin/v1/mode").path("mode").asText().toUpperCase(Locale.ROOT).replace('-', '_');
    }

    private int clusterSize(NodeProcess node) {
        try {
            return get(node, "/admin/v1/cluster").path("members").size();
        } catch (Exception | AssertionError e) {
            return 0;
        }
    }
}
