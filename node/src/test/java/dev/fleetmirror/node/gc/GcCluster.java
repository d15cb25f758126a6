package dev.fleetmirror.node.gc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fleetmirror.coordination.ClusterSettings;
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
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
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
     * Kills member {@code i} as a crash would, as far as the cluster can tell: its Hazelcast member
     * is terminated (no leaving protocol, its runs and permits abandoned) and its HTTP server closed
     * without a grace period.
     */
    void kill(int i) {
        FleetMirrorNode node = nodes.get(i);
        String id = node.coordination().memberId();
        for (com.hazelcast.core.HazelcastInstance member : com.hazelcast.core.Hazelcast.getAllHazelcastInstances()) {
            if (member.getLifecycleService().isRunning()
                    && member.getCluster().getLocalMember().getUuid().toString().equals(id)) {
                member.getLifecycleService().terminate();
            }
        }
        node.close(0);
    }

    /** Starts member {@code i} again, on a new HTTP port, in the place of the one killed. */
    void restart(int i) throws Exception {
        FleetMirrorNode node = FleetMirrorNode.start(configs.get(i)).toCompletionStage().toCompletableFuture()
                .get(90, TimeUnit.SECONDS);
        nodes.set(i, node);
        await("member " + i + " back in the cluster").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                .until(() -> node.coordination().view().members().size() == nodes.size());
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
