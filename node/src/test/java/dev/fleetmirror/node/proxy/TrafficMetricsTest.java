package dev.fleetmirror.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.node.FleetMirrorNode;
import dev.fleetmirror.node.config.HttpConfig;
import dev.fleetmirror.node.config.NodeConfig;
import dev.fleetmirror.node.config.StorageBackend;
import dev.fleetmirror.node.config.StorageConfig;
import dev.fleetmirror.node.http.RequestId;
import dev.fleetmirror.node.metrics.AccessLog;
import dev.fleetmirror.node.testing.FillsInFlight;
import dev.fleetmirror.node.testing.RegistryHttpClient;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import dev.fleetmirror.node.testing.CapturedLogs;
import org.junit.jupiter.api.io.TempDir;

/**
 * A mirror in front of a real upstream (a hosted Fleet Mirror node): after a cold and a warm pull,
 * /metrics counts exactly the hits, misses, upstream requests and bytes that happened, and a
 * request's id reaches the upstream's access log.
 */
class TrafficMetricsTest {
    @TempDir
    Path work;
    private FleetMirrorNode upstream;
    private FleetMirrorNode mirror;
    @RegisterExtension
    final CapturedLogs accessLog = new CapturedLogs(AccessLog.LOGGER, Level.INFO);

    @BeforeEach
    void start() throws Exception {
        upstream = FleetMirrorNode.start(NodeConfig.defaults().withHttp(HttpConfig.loopback(0))
                        .withStorage(StorageConfig.of(new StorageBackend.Filesystem(work.resolve("upstream")))))
                .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        mirror = MirrorFixture.node(work.resolve("mirror"), work.resolve("spool"), Duration.ofHours(1),
                MirrorFixture.catchAll(MirrorFixture.uri(upstream)));
    }

    @AfterEach
    void stop() throws Exception {
        MirrorFixture.stop(mirror);
        MirrorFixture.stop(upstream);
    }

    @Test
    void countsHitsMissesAndUpstreamTrafficOfAColdThenAWarmPull() {
        TestImage image = TestImage.random(41, 300_000, 200_000);
        image.push(MirrorFixture.uri(upstream), "team/app", "1");
        URI mirrorUri = MirrorFixture.uri(mirror);
        Digest firstLayer = image.blobDigests().get(1);

        RegistryHttpClient.Response blob = new RegistryHttpClient(mirrorUri)
                .call("GET", "/v2/team/app/blobs/" + firstLayer).header(RequestId.HEADER, "pull-test-1").send();
        assertThat(blob.status()).isEqualTo(200);
        assertThat(blob.header(RequestId.HEADER)).contains("pull-test-1");
        // Each pull counts hits only once the fills before it are stored.
        FillsInFlight.awaitNone(mirrorUri);
        MirrorFixture.pull(mirrorUri, "team/app", "1");
        FillsInFlight.awaitNone(mirrorUri);
        MirrorFixture.pull(mirrorUri, "team/app", "1");

        String metrics = new RegistryHttpClient(mirrorUri).call("GET", "/metrics").send().text();
        // Cold: the tag and two blobs fetched (the first layer was fetched alone before); warm: all from storage.
        assertThat(value(metrics, "fleetmirror_cache_requests_total{kind=\"tag\",result=\"miss\"}")).isEqualTo(1);
        assertThat(value(metrics, "fleetmirror_cache_requests_total{kind=\"tag\",result=\"hit\"}")).isEqualTo(1);
        assertThat(value(metrics, "fleetmirror_cache_requests_total{kind=\"blob\",result=\"miss\"}")).isEqualTo(3);
        assertThat(value(metrics, "fleetmirror_cache_requests_total{kind=\"blob\",result=\"hit\"}")).isEqualTo(4);
        assertThat(value(metrics, "fleetmirror_cache_requests_total{kind=\"tag\",result=\"stale\"}")).isZero();
        assertThat(value(metrics, "fleetmirror_upstream_bytes_total{upstream=\"upstream\"}"))
                .isEqualTo(300_000 + 200_000 + image.config().length + image.manifest().length);
        // A HEAD and a GET of the tag; one GET of each of the three blobs fetched (its size comes from that GET).
        assertThat(value(metrics, "fleetmirror_upstream_requests_total{code=\"200\",upstream=\"upstream\"}")).isEqualTo(5);
        assertThat(value(metrics, "fleetmirror_http_requests_total{code=\"200\",method=\"GET\",route=\"blob\"}"))
                .isEqualTo(7);
        assertThat(value(metrics, "fleetmirror_http_requests_total{code=\"200\",method=\"GET\",route=\"manifest\"}"))
                .isEqualTo(2);
        assertThat(value(metrics, "fleetmirror_http_response_bytes_total{route=\"blob\"}"))
                .isEqualTo(3 * 300_000 + 2 * 200_000 + 2 * image.config().length);
        assertThat(value(metrics, "fleetmirror_fill_waits_total")).isZero();
        assertThat(value(metrics, "fleetmirror_fills_in_flight")).isZero();

        // The upstream's access log shows the blob request made on behalf of the client's request, with its id.
        List<String> lines = accessLog.messages();
        assertThat(lines).filteredOn(line -> line.contains("GET /v2/team/app/blobs/" + firstLayer) && line.contains("id=pull-test-1"))
                .as("the mirror's and the upstream's access log lines of %s", firstLayer).hasSize(2);
    }

    @Test
    void aClientsUnsafeRequestIdIsReplaced() {
        RegistryHttpClient.Response answer = new RegistryHttpClient(MirrorFixture.uri(mirror))
                .call("GET", "/v2/").header(RequestId.HEADER, "bad id\"with quotes").send();
        assertThat(answer.header(RequestId.HEADER)).hasValueSatisfying(id -> assertThat(id).matches("[0-9a-f]{16}"));
    }

    private static double value(String metrics, String series) {
        Matcher m = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE).matcher(metrics);
        assertThat(m.find()).as("%s in\n%s", series, metrics).isTrue();
        return Double.parseDouble(m.group(1));
    }
}
