package dev.fleetmirror.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fleetmirror.coordination.fill.FillClaim;
import dev.fleetmirror.coordination.fill.FillLease;
import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.testing.LocalProcesses;
import dev.fleetmirror.node.FleetMirrorNode;
import dev.fleetmirror.node.admin.ClusterAdmin;
import dev.fleetmirror.node.admin.PeerAccess;
import dev.fleetmirror.node.config.ConfigLoader;
import dev.fleetmirror.node.config.HttpConfig;
import dev.fleetmirror.node.config.NodeConfig;
import dev.fleetmirror.node.config.StorageBackend;
import dev.fleetmirror.node.config.StorageConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /admin/v1/cluster} of in-process nodes, alone and in a cluster formed over loopback TCP. */
class ClusterAdminTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String SECRET = "correct horse battery staple";

    @TempDir
    Path workDir;

    private final List<FleetMirrorNode> nodes = new ArrayList<>();

    @AfterEach
    void stopNodes() throws Exception {
        for (FleetMirrorNode node : nodes) {
            node.close(0).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void twoNodesWithAClusterSectionFormOneClusterAndBothReportIt() throws Exception {
        int firstPort = LocalProcesses.freeMemberPort();
        int secondPort = LocalProcesses.freeMemberPort();
        String name = "admin-" + UUID.randomUUID().toString().substring(0, 8);
        FleetMirrorNode first = start(clustered(name, firstPort, secondPort, "first"));
        FleetMirrorNode second = start(clustered(name, secondPort, firstPort, "second"));

        Digest digest = Digest.sha256("a layer being filled".getBytes(StandardCharsets.UTF_8));
        FillLease lease = ((FillClaim.Won) second.coordination().fills().claim(digest)).lease();
        lease.announceSize(4096);

        for (FleetMirrorNode node : List.of(first, second)) {
            HttpResponse<byte[]> response = get(node, SECRET);
            assertThat(response.statusCode()).isEqualTo(200);
            JsonNode cluster = JSON.readTree(response.body());
            assertThat(cluster.path("name").asText()).isEqualTo(name);
            assertThat(cluster.path("mode").asText()).isEqualTo("cluster");
            assertThat(cluster.path("memberId").asText()).isEqualTo(node.coordination().memberId());
            assertThat(cluster.path("members")).hasSize(2);
            JsonNode oldest = cluster.path("members").path(0);
            assertThat(oldest.path("id").asText()).isEqualTo(first.coordination().memberId());
            assertThat(oldest.path("oldest").asBoolean()).isTrue();
            assertThat(oldest.path("peerUrl").asText()).isEqualTo("http://127.0.0.1:" + first.port());
            assertThat(oldest.path("address").asText()).isEqualTo("127.0.0.1:" + firstPort);
            JsonNode younger = cluster.path("members").path(1);
            assertThat(younger.path("id").asText()).isEqualTo(second.coordination().memberId());
            assertThat(younger.path("oldest").asBoolean()).isFalse();
            assertThat(younger.path("peerUrl").asText()).isEqualTo("http://127.0.0.1:" + second.port());
            assertThat(cluster.path("members").findValuesAsText("local"))
                    .containsExactly(Boolean.toString(node == first), Boolean.toString(node == second));
            assertThat(cluster.path("oldest").path("id").asText()).isEqualTo(first.coordination().memberId());
            assertThat(cluster.path("quorum").asBoolean()).isTrue();
            assertThat(cluster.path("minimumSize").asInt()).isEqualTo(2);
            assertThat(cluster.path("fills")).singleElement().satisfies(fill -> {
                assertThat(fill.path("digest").asText()).isEqualTo(digest.toString());
                assertThat(fill.path("member").asText()).isEqualTo(second.coordination().memberId());
                assertThat(fill.path("peerUrl").asText()).isEqualTo("http://127.0.0.1:" + second.port());
                assertThat(fill.path("size").asLong()).isEqualTo(4096);
                assertThat(fill.path("since").asText()).isNotEmpty();
            });
        }
        lease.release();
    }

    @Test
    void aWrongOrMissingSecretIsRefusedWithWhatIsNeeded() throws Exception {
        int port = LocalProcesses.freeMemberPort();
        FleetMirrorNode node = start(clustered("admin-" + UUID.randomUUID().toString().substring(0, 8), port, port, "alone"));
        for (String presented : new String[] {null, "guess", SECRET.substring(1)}) {
            HttpResponse<byte[]> response = get(node, presented);
            assertThat(response.statusCode()).isEqualTo(401);
            JsonNode error = JSON.readTree(response.body()).path("errors").path(0);
            assertThat(error.path("code").asText()).isEqualTo("UNAUTHORIZED");
            assertThat(error.path("message").asText()).contains(PeerAccess.SECRET_HEADER);
        }
        assertThat(get(node, SECRET).statusCode()).isEqualTo(200);
    }

    @Test
    void aStandaloneNodeReportsItselfAloneToCallersOnThisMachine() throws Exception {
        FleetMirrorNode node = start(NodeConfig.defaults().withHttp(HttpConfig.loopback(0))
                .withStorage(StorageConfig.of(new StorageBackend.Filesystem(workDir.resolve("standalone")))));
        HttpResponse<byte[]> response = get(node, null);
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode cluster = JSON.readTree(response.body());
        assertThat(cluster.path("mode").asText()).isEqualTo("standalone");
        assertThat(cluster.path("members")).singleElement().satisfies(member -> {
            assertThat(member.path("id").asText()).isEqualTo(node.coordination().memberId());
            assertThat(member.path("local").asBoolean()).isTrue();
            assertThat(member.path("oldest").asBoolean()).isTrue();
            assertThat(member.path("peerUrl").asText()).isEqualTo("http://127.0.0.1:" + node.port());
        });
        assertThat(cluster.path("quorum").asBoolean()).isTrue();
        assertThat(cluster.path("minimumSize").asInt()).isEqualTo(1);
        assertThat(cluster.path("fills")).isEmpty();

        HttpResponse<byte[]> post = send(node, HttpRequest.newBuilder(uri(node, ClusterAdmin.PATH))
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
        assertThat(send(node, HttpRequest.newBuilder(uri(node, ClusterAdmin.PATH + "/members")).GET()).statusCode())
                .isEqualTo(404);
        // The distribution API is still served beside it.
        assertThat(send(node, HttpRequest.newBuilder(uri(node, "/v2/")).GET()).statusCode()).isEqualTo(200);
    }

    /** A node config read from YAML, as an operator writes it: one static peer, the shared secret, quorum of two. */
    private NodeConfig clustered(String name, int memberPort, int peerPort, String dir) {
        NodeConfig config = ConfigLoader.fromYaml("""
                cluster:
                  name: %s
                  addr: 127.0.0.1
                  port: %d
                  members: [127.0.0.1:%d, 127.0.0.1:%d]
                  secret: %s
                  minimumSize: 2
                  leaseTtl: 5s
                """.formatted(name, memberPort, memberPort, peerPort, SECRET), Map.of());
        return config.withHttp(HttpConfig.loopback(0))
                .withStorage(StorageConfig.of(new StorageBackend.Filesystem(workDir.resolve(dir))));
    }

    private FleetMirrorNode start(NodeConfig config) throws Exception {
        FleetMirrorNode node = FleetMirrorNode.start(config).toCompletionStage().toCompletableFuture()
                .get(60, TimeUnit.SECONDS);
        nodes.add(node);
        return node;
    }

    private static HttpResponse<byte[]> get(FleetMirrorNode node, String secret) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(node, ClusterAdmin.PATH)).GET();
        if (secret != null) {
            request.header(PeerAccess.SECRET_HEADER, secret);
        }
        return send(node, request);
    }

    private static URI uri(FleetMirrorNode node, String path) {
        return URI.create("http://127.0.0.1:" + node.port() + path);
    }

    private static HttpResponse<byte[]> send(FleetMirrorNode node, HttpRequest.Builder request) {
        try {
            return HTTP.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
