package dev.fleetmirror.node.proxy;

import static dev.fleetmirror.node.proxy.MirrorFixture.uri;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fleetmirror.coordination.ClusterSettings;
import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.manifest.MediaTypes;
import dev.fleetmirror.node.FleetMirrorNode;
import dev.fleetmirror.node.config.GcConfig;
import dev.fleetmirror.node.config.HttpConfig;
import dev.fleetmirror.node.config.NodeConfig;
import dev.fleetmirror.node.config.StorageBackend;
import dev.fleetmirror.node.config.StorageConfig;
import dev.fleetmirror.node.testing.RegistryHttpClient;
import dev.fleetmirror.storage.s3.testing.S3ProxyExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code POST /admin/v1/gc} on a live node over S3 (S3Proxy): what it deletes, what it keeps, and when it refuses. */
class LiveGcTest {
    @RegisterExtension
    static final S3ProxyExtension S3 = new S3ProxyExtension("live-gc");

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private FleetMirrorNode node;

    @AfterEach
    void stop() throws Exception {
        MirrorFixture.stop(node);
    }

    private static NodeConfig config() {
        return NodeConfig.defaults()
                .withHttp(HttpConfig.loopback(0))
                .withStorage(StorageConfig.of(new StorageBackend.S3(S3.config())))
                .withGc(new GcConfig(Optional.empty(), false, Duration.ZERO, GcConfig.DEFAULT_MAX_HOLD, Duration.ZERO));
    }

    private HttpResponse<String> post(URI node) throws Exception {
        return http.send(HttpRequest.newBuilder(node.resolve("/admin/v1/gc")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void collectsWhatADeletedManifestLeftOnS3AndKeepsTheRest() throws Exception {
        node = FleetMirrorNode.start(config()).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        TestImage kept = TestImage.random(101, 20_000, 30_000);
        TestImage dropped = TestImage.random(102, 25_000);
        kept.push(uri(node), "team/app", "kept");
        dropped.push(uri(node), "team/app", "dropped");
        RegistryHttpClient client = new RegistryHttpClient(uri(node));
        assertThat(client.call("DELETE", "/v2/team/app/manifests/" + dropped.digest()).send().status()).isEqualTo(202);

        HttpResponse<String> run = post(uri(node));
        assertThat(run.statusCode()).as(run.body()).isEqualTo(200);
        JsonNode report = JSON.readTree(run.body());
        assertThat(report.path("outcome").asText()).isEqualTo("completed");
        assertThat(report.path("blobsDeleted").asLong())
                .as("the dropped image's layer, config and manifest").isEqualTo(3);
        assertThat(report.path("readOnlyMillis").asLong()).isGreaterThanOrEqualTo(0);
        assertThat(node.coordination().mode().current().name()).isEqualTo("READ_WRITE");

        for (Digest blob : dropped.blobDigests()) {
            assertThat(client.call("GET", "/v2/team/app/blobs/" + blob).send().status()).isEqualTo(404);
        }
        RegistryHttpClient.Response manifest = client.call("GET", "/v2/team/app/manifests/kept")
                .header("Accept", MediaTypes.OCI_MANIFEST).send();
        assertThat(manifest.body()).isEqualTo(kept.manifest());
        for (Digest blob : kept.blobDigests()) {
            assertThat(client.call("GET", "/v2/team/app/blobs/" + blob).send().body()).isEqualTo(kept.blob(blob));
        }
        JsonNode status = JSON.readTree(http.send(HttpRequest.newBuilder(uri(node).resolve("/admin/v1/gc")).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body());
        assertThat(status.path("running").isNull()).isTrue();
        assertThat(status.path("latest").path("runId").asText()).isEqualTo(report.path("runId").asText());

        String metrics = http.send(HttpRequest.newBuilder(uri(node).resolve("/metrics")).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).contains("fleetmirror_gc_runs_total{outcome=\"completed\"} 1.0",
                "fleetmirror_gc_blobs_deleted_total 3.0", "fleetmirror_cluster_mode{mode=\"READ_WRITE\"} 1.0",
                "fleetmirror_cluster_members 1.0");
    }

    @Test
    void withoutQuorumNothingRunsAndNothingSwitches() throws Exception {
        int port = dev.fleetmirror.core.testing.LocalProcesses.freeMemberPort();
        ClusterSettings lonely = new ClusterSettings("gc-quorum-" + port, "127.0.0.1", port, List.of("127.0.0.1:" + port),
                false, Optional.empty(), Optional.empty(), 2, Duration.ofSeconds(5), "");
        node = FleetMirrorNode.start(config().withCluster(Optional.of(lonely)))
                .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);

        HttpResponse<String> run = post(uri(node));
        assertThat(run.statusCode()).isEqualTo(503);
        assertThat(run.body()).contains("quorum");
        assertThat(node.coordination().mode().current().name()).isEqualTo("READ_WRITE");
        HttpResponse<String> mode = http.send(HttpRequest.newBuilder(uri(node).resolve("/admin/v1/mode"))
                .PUT(HttpRequest.BodyPublishers.ofString("{\"mode\":\"read-only\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(mode.statusCode()).isEqualTo(503);
        assertThat(node.coordination().mode().current().name()).isEqualTo("READ_WRITE");
    }
}
