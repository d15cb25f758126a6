package dev.fleetmirror.node.gc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fleetmirror.coordination.ClusterSettings;
import dev.fleetmirror.coordination.HazelcastCoordination;
import dev.fleetmirror.core.testing.LocalProcesses;
import dev.fleetmirror.node.FleetMirrorNode;
import dev.fleetmirror.node.config.GcConfig;
import dev.fleetmirror.node.config.HttpConfig;
import dev.fleetmirror.node.config.NodeConfig;
import dev.fleetmirror.node.config.ProxyConfig;
import dev.fleetmirror.node.config.StorageBackend;
import dev.fleetmirror.node.config.StorageConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** In-process members of one cluster on one storage backend, hosting only, and their GC endpoint. */
final class GcCluster implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SECRET = "online-gc-" + UUID.randomUUID();
    private final HttpClient http = HttpClient.newHttpClient();
    /** The members; a restarted member takes the place of the one it replaces. */
    final List<FleetMirrorNode> nodes = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<NodeConfig> configs = new ArrayList<>();

    static GcCluster start(int members, StorageBackend backend, GcConfig gc) throws Exception {
        GcCluster cluster = new GcCluster();
        NodeConfig config = NodeConfig.defaults()
                .withHttp(HttpConfig.loopback(0))
                .withStorage(StorageConfig.of(backend))
                .withGc(gc)
                .withProxy(ProxyConfig.none());
        if (members == 1) {
            cluster.configs.add(config);
            cluster.nodes.add(FleetMirrorNode.start(config).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS));
            return cluster;
        }
        String name = "online-gc-" + UUID.randomUUID().toString().substring(0, 8);
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < members; i++) {
            ports.add(LocalProcesses.freeMemberPort());
        }
        List<String> addresses = ports.stream().map(p -> "127.0.0.1:" + p).toList();
        List<CompletableFuture<FleetMirrorNode>> starting = new ArrayList<>();
        for (int i = 0; i < members; i++) {
            ClusterSettings settings = new ClusterSettings(name, "127.0.0.1", ports.get(i), addresses, false,
                    Optional.empty(), Optional.of(SECRET), 1, Duration.ofSeconds(5), "");
            cluster.configs.add(config.withCluster(Optional.of(settings)));
            starting.add(FleetMirrorNode.start(cluster.configs.get(i)).toCompletionStage().toCompletableFuture());
        }
        for (CompletableFuture<FleetMirrorNode> node : starting) {
            cluster.nodes.add(node.get(90, TimeUnit.SECONDS));
        }
        await("the cluster formed").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> cluster.nodes.stream().allMatch(n -> n.coordination().view().members().size() == members));
        return cluster;
    }

    /**
     * Kills member {@code i} as hard as one JVM allows: its Hazelcast member is terminated (no
     * leaving protocol: its partitions, its GC run and its write permits are abandoned, and the
     * others find out by their failure detector), then its Vert.x is closed at once, not the node:
     * connections are cut without a grace, nothing drains, event loops stop and workers (a GC run's
     * among them) are interrupted. Its storage client is left as a crash leaves it. A real SIGKILL
     * needs the member in a JVM of its own: {@link GcLeaderIT} does that.
     */
    void kill(int i) {
        FleetMirrorNode node = nodes.get(i);
        String id = node.coordination().memberId();
        ((HazelcastCoordination) node.coordination()).hazelcast().getLifecycleService().terminate();
        // Vert.x 5's close future has no context: it completes although the instance's event loops are gone.
        killed.put(i, new Killed(id, node.vertx().close().toCompletionStage().toCompletableFuture()));
    }

    /** A member {@link #kill} killed: who it was in the cluster, and when its Vert.x is gone. */
    private record Killed(String memberId, CompletableFuture<Void> closed) {
    }

    private final Map<Integer, Killed> killed = new ConcurrentHashMap<>();

    /**
     * Starts member {@code i} again, on a new HTTP port and its old member port, in the place of the
     * one killed, once the killed one is gone everywhere: its Vert.x closed (nothing of it still
     * runs in this JVM), no living member still listing it (else the new member, at the same address
     * under a new id, joins a cluster that still counts the dead one, and a switch or a journal start
     * waits on it), and its GC run, if it had one, ended by the oldest member (read-write restored).
     */
    void restart(int i) throws Exception {
        Killed dead = killed.remove(i);
        if (dead != null) {
            dead.closed().get(60, TimeUnit.SECONDS);
            List<FleetMirrorNode> living = nodes.stream().filter(n -> n != nodes.get(i)).toList();
            await("member " + i + " gone from the others' membership").atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> living.stream().allMatch(n -> n.coordination().view().members().stream()
                            .noneMatch(m -> m.id().equals(dead.memberId()))));
            await("the killed member's GC run ended by the oldest").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> living.get(0).coordination().gcRuns().current()
                            .filter(run -> run.memberId().equals(dead.memberId())).isEmpty());
        }
        FleetMirrorNode node = FleetMirrorNode.start(configs.get(i)).toCompletionStage().toCompletableFuture()
                .get(90, TimeUnit.SECONDS);
        nodes.set(i, node);
        await("member " + i + " back in the cluster").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                .until(() -> nodes.stream().allMatch(n -> n.coordination().view().members().size() == nodes.size()));
    }

    static URI uri(FleetMirrorNode node) {
        return URI.create("http://127.0.0.1:" + node.port());
    }

    /** {@code POST /admin/v1/gc} on {@code node}: the run's report. */
    JsonNode collect(FleetMirrorNode node) throws Exception {
        HttpResponse<String> run = post(node);
        assertThat(run.statusCode()).as(run.body()).isEqualTo(200);
        JsonNode report = JSON.readTree(run.body());
        assertThat(report.path("outcome").asText()).as(run.body()).isEqualTo("completed");
        return report;
    }

    /** {@code POST /admin/v1/gc} on {@code node}, as answered. */
    HttpResponse<String> post(FleetMirrorNode node) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(node).resolve("/admin/v1/gc"))
                .header("X-Fleetmirror-Cluster-Secret", SECRET).timeout(Duration.ofMinutes(3))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode json(String body) throws Exception {
        return JSON.readTree(body);
    }

    @Override
    public void close() {
        for (FleetMirrorNode node : nodes) {
            try {
                node.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                // the next one still closes
            }
        }
    }
}
