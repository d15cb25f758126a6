package dev.fleetmirror.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.node.FleetMirrorNode;
import dev.fleetmirror.node.config.HttpConfig;
import dev.fleetmirror.node.config.NodeConfig;
import dev.fleetmirror.node.config.ProxyConfig;
import dev.fleetmirror.node.config.StorageBackend;
import dev.fleetmirror.node.config.StorageConfig;
import dev.fleetmirror.node.testing.S3RequestCounter;
import dev.fleetmirror.storage.s3.S3StorageConfig;
import dev.fleetmirror.storage.s3.testing.S3ProxyExtension;
import dev.fleetmirror.storage.s3.testing.S3ProxyProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sixteen clients HEAD and GET one stored blob at once on a member whose blob index knows nothing
 * of it (a later push to the repository started its next generation): the member reads the link
 * from S3 once and stats the data once, counted at the S3 endpoint (a relay in front of S3Proxy).
 * The local tier is off, so each GET's data read is one S3 GET beside them.
 */
class ConcurrentBlobStatsS3Test {
    @RegisterExtension
    static final S3ProxyExtension S3 = new S3ProxyExtension("concurrent-stats");

    private static final int CLIENTS = 16;

    @TempDir
    Path work;

    private final List<FleetMirrorNode> nodes = new ArrayList<>();
    private S3RequestCounter counter;

    @AfterEach
    void stop() throws Exception {
        for (FleetMirrorNode node : nodes) {
            MirrorFixture.stop(node);
        }
        if (counter != null) {
            counter.close();
        }
    }

    @Test
    void concurrentHeadsAndGetsOfOneBlobTheIndexDoesNotKnowReadItsLinkFromS3Once() throws Exception {
        counter = S3RequestCounter.start(S3.process().endpoint());
        S3StorageConfig s3 = S3StorageConfig.of(S3.bucket(), counter.endpoint(), S3ProxyProcess.ACCESS_KEY,
                S3ProxyProcess.SECRET_KEY).withRootDirectory("stats");
        // A cluster of one: its index generations last 30 s, not a standalone node's 5 s, so none
        // ends by itself while the clients ask (that would be a second lookup, rightly).
        LoopbackNodes.start(1, "concurrent-stats-secret", Duration.ofSeconds(5), i -> NodeConfig.defaults()
                .withHttp(HttpConfig.loopback(0))
                .withStorage(StorageConfig.of(new StorageBackend.S3(s3)).withLocalCache(Optional.empty()))
                .withProxy(ProxyConfig.none().withSpoolDirectory(work.resolve("spool"))), nodes);
        URI uri = MirrorFixture.uri(nodes.get(0));
        TestImage image = TestImage.random(1701, 300_000);
        image.push(uri, "team/stats", "v1");
        TestImage.random(1702, 2_000).push(uri, "team/stats", "v2");
        Digest layer = image.blobDigests().get(1);
        byte[] blob = image.blob(layer);
        URI blobUri = uri.resolve("/v2/team/stats/blobs/" + layer);

        counter.reset();
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<HttpResponse<byte[]>>> answers = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                String method = i % 2 == 0 ? "GET" : "HEAD";
                answers.add(clients.submit(() -> {
                    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                    HttpRequest request = HttpRequest.newBuilder(blobUri).timeout(Duration.ofSeconds(60))
                            .method(method, HttpRequest.BodyPublishers.noBody()).build();
                    go.await();
                    return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
                }));
            }
            go.countDown();
            for (int i = 0; i < CLIENTS; i++) {
                HttpResponse<byte[]> answer = answers.get(i).get(60, TimeUnit.SECONDS);
                assertThat(answer.statusCode()).as("client %d", i).isEqualTo(200);
                assertThat(answer.headers().firstValueAsLong("Content-Length")).as("client %d", i).hasValue(blob.length);
                if (i % 2 == 0) {
                    assertThat(answer.body()).as("client %d's body", i).isEqualTo(blob);
                }
            }
        } finally {
            clients.shutdownNow();
        }
        List<String> requests = counter.requests();
        String link = "/_layers/sha256/" + layer.hex() + "/link";
        assertThat(requests.stream().filter(r -> r.startsWith("GET ") && r.contains(link)))
                .as("link reads of %d concurrent HEADs and GETs: %s", CLIENTS, requests).hasSize(1);
        assertThat(requests.stream().filter(r -> r.startsWith("HEAD ") && r.contains(layer.hex() + "/data")))
                .as("data stats of %d concurrent HEADs and GETs: %s", CLIENTS, requests).hasSize(1);
        assertThat(requests.stream().filter(r -> r.startsWith("GET ") && r.contains(layer.hex() + "/data")))
                .as("data reads, one per GET: %s", requests).hasSize(CLIENTS / 2);
    }
}
