package dev.fleetmirror.node.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fleetmirror.coordination.ClusterSettings;
import dev.fleetmirror.coordination.mode.ClusterMode;
import dev.fleetmirror.coordination.mode.WritePermit;
import dev.fleetmirror.core.testing.LocalProcesses;
import dev.fleetmirror.node.FleetMirrorNode;
import dev.fleetmirror.node.config.HttpConfig;
import dev.fleetmirror.node.config.NodeConfig;
import dev.fleetmirror.node.config.StorageBackend;
import dev.fleetmirror.node.config.StorageConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /healthz} and {@code /readyz}: live while serving; ready unless storage, quorum or a drain says otherwise. */
class HealthTest {
    @TempDir
    Path work;

    private final HttpClient http = HttpClient.newHttpClient();
    private FleetMirrorNode node;

    @AfterEach
    void stop() throws Exception {
        if (node != null) {
            node.close(1).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    private NodeConfig config() {
        return NodeConfig.defaults().withHttp(HttpConfig.loopback(0))
                .withStorage(StorageConfig.of(new StorageBackend.Filesystem(work.resolve("storage"))));
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void liveAndReadyWhileServingAndNotReadyWhileWritesDrain() throws Exception {
        node = FleetMirrorNode.start(config()).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertThat(get("/healthz").statusCode()).isEqualTo(200);
        HttpResponse<String> ready = get("/readyz");
        assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
        assertThat(ready.body()).contains("\"storage\" : \"ok\"", "\"mode\" : \"READ_WRITE\"");

        WritePermit write = node.coordination().mode().tryAcquire().orElseThrow();
        CompletableFuture<?> switching = CompletableFuture.runAsync(() -> {
            try {
                node.coordination().mode().switchTo(ClusterMode.READ_ONLY, Duration.ofSeconds(20));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> node.coordination().mode().current() == ClusterMode.DRAINING);
        HttpResponse<String> draining = get("/readyz");
        assertThat(draining.statusCode()).isEqualTo(503);
        assertThat(draining.body()).contains("DRAINING");
        assertThat(get("/healthz").statusCode()).isEqualTo(200);
        write.close();
        switching.get(20, TimeUnit.SECONDS);
        assertThat(get("/readyz").statusCode()).as("read-only still serves pulls").isEqualTo(200);
    }

    @Test
    void notReadyWithoutQuorum() throws Exception {
        int port = LocalProcesses.freeMemberPort();
        node = FleetMirrorNode.start(config().withCluster(Optional.of(new ClusterSettings("health-" + port, "127.0.0.1", port,
                List.of("127.0.0.1:" + port), false, Optional.empty(), Optional.empty(), 2, Duration.ofSeconds(5), ""))))
                .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        HttpResponse<String> ready = get("/readyz");
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(ready.body()).contains("no quorum");
        assertThat(get("/healthz").statusCode()).isEqualTo(200);
    }
}
