package dev.fleetmirror.node.localcache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.node.FleetMirrorNode;
import dev.fleetmirror.node.config.HttpConfig;
import dev.fleetmirror.node.config.LocalCacheConfig;
import dev.fleetmirror.node.config.NodeConfig;
import dev.fleetmirror.node.config.StorageBackend;
import dev.fleetmirror.node.config.StorageConfig;
import dev.fleetmirror.node.proxy.TestImage;
import dev.fleetmirror.node.testing.S3RequestCounter;
import dev.fleetmirror.storage.s3.S3StorageConfig;
import dev.fleetmirror.storage.s3.testing.S3ProxyExtension;
import dev.fleetmirror.storage.s3.testing.S3ProxyProcess;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sixteen clients GET one stored blob at once from a node whose local tier has no copy of it yet:
 * the node reads it from S3 once (counted at the S3 endpoint), every client streams it by tailing
 * that one copy, ranged GETs among them from their offsets, and the copy then serves the next GET
 * without any S3 request.
 */
class ConcurrentWarmGetsS3Test {
    @RegisterExtension
    static final S3ProxyExtension S3 = new S3ProxyExtension("tee");

    private static final int CLIENTS = 16;
    private static S3RequestCounter counter;
    @TempDir
    static Path work;

    @BeforeAll
    static void start() throws Exception {
        counter = S3RequestCounter.start(S3.process().endpoint());
    }

    @AfterAll
    static void stop() throws Exception {
        counter.close();
    }

    @Test
    void concurrentWarmGetsOfABlobReadItFromS3Once() throws Exception {
        S3StorageConfig s3 = S3StorageConfig.of(S3.bucket(), counter.endpoint(), S3ProxyProcess.ACCESS_KEY,
                S3ProxyProcess.SECRET_KEY).withRootDirectory("tee");
        NodeConfig config = NodeConfig.defaults().withHttp(HttpConfig.loopback(0))
                .withStorage(StorageConfig.of(new StorageBackend.S3(s3))
                        .withLocalCache(Optional.of(new LocalCacheConfig(work.resolve("tier"), 100_000_000))));
        FleetMirrorNode node = FleetMirrorNode.start(config).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        try {
            URI uri = URI.create("http://127.0.0.1:" + node.port());
            TestImage image = TestImage.random(17, 6_000_000);
            image.push(uri, "team/tee", "1");
            Digest layer = image.blobDigests().get(1);
            byte[] blob = image.blob(layer);
            URI blobUri = uri.resolve("/v2/team/tee/blobs/" + layer);
            Path copy = work.resolve("tier/sha256").resolve(layer.hex());
            assertThat(copy).doesNotExist();

            counter.reset();
            CountDownLatch go = new CountDownLatch(1);
            List<Future<String>> answers = new ArrayList<>();
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                // Every fourth client asks for a range starting further in: it tails the copy from there.
                long from = i % 4 == 3 ? 1_000_000L * (i / 4 + 1) : 0;
                expected.add(sha256(Arrays.copyOfRange(blob, (int) from, blob.length)));
                answers.add(clients.submit(() -> {
                    go.await();
                    return get(blobUri, from);
                }));
            }
            go.countDown();
            for (int i = 0; i < CLIENTS; i++) {
                assertThat(answers.get(i).get(60, TimeUnit.SECONDS)).as("client %d's body", i).isEqualTo(expected.get(i));
            }
            List<String> dataReads = counter.requests().stream()
                    .filter(r -> r.startsWith("GET ") && r.contains(layer.hex()) && r.contains("/data")).toList();
            assertThat(dataReads).as("S3 requests of %d concurrent warm GETs: %s", CLIENTS, counter.requests()).hasSize(1);

            await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(copy));
            assertThat(copy).hasBinaryContent(blob);
            // A standalone node forgets what the blob index learnt after 5 s: a HEAD teaches it again, so
            // that the GET right after asks nothing of S3 for membership either.
            assertThat(HttpClient.newHttpClient().send(HttpRequest.newBuilder(blobUri)
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(200);
            counter.reset();
            assertThat(get(blobUri, 0)).isEqualTo(sha256(blob));
            assertThat(counter.total()).as("S3 requests of a GET from the copy: %s", counter.requests()).isZero();
        } finally {
            clients.shutdownNow();
            node.close(1).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    /** The body's sha256, hashed as it arrives (sixteen bodies of several MB are not kept). */
    private static String get(URI blob, long from) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest.Builder request = HttpRequest.newBuilder(blob).timeout(Duration.ofSeconds(60));
        if (from > 0) {
            request.header("Range", "bytes=" + from + "-");
        }
        HttpResponse<InputStream> response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(from > 0 ? 206 : 200);
        MessageDigest hash = MessageDigest.getInstance("SHA-256");
        try (InputStream body = response.body()) {
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = body.read(buffer)) >= 0; ) {
                hash.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(hash.digest());
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
