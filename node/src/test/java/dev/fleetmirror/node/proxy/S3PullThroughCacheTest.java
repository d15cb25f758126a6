package dev.fleetmirror.node.proxy;

import static dev.fleetmirror.node.proxy.MirrorFixture.blobGets;
import static dev.fleetmirror.node.proxy.MirrorFixture.pull;
import static dev.fleetmirror.node.proxy.MirrorFixture.uri;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.node.FleetMirrorNode;
import dev.fleetmirror.node.config.HttpConfig;
import dev.fleetmirror.node.config.NodeConfig;
import dev.fleetmirror.node.config.ProxyConfig;
import dev.fleetmirror.node.config.StorageBackend;
import dev.fleetmirror.node.config.StorageConfig;
import dev.fleetmirror.node.testing.DistributionProcess;
import dev.fleetmirror.storage.s3.S3StorageConfig;
import dev.fleetmirror.storage.s3.testing.S3ProxyExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The pull-through cache on S3 storage (S3Proxy): fills complete through multipart uploads. */
class S3PullThroughCacheTest {
    @RegisterExtension
    static final S3ProxyExtension S3 = new S3ProxyExtension("mirror");

    @TempDir
    Path work;

    @Test
    void concurrentColdPullsOnS3FetchEachBlobOnceAndServeItFromTheBucketAfterwards() throws Exception {
        assumeTrue(DistributionProcess.available(), DistributionProcess.absentReason());
        long min = S3StorageConfig.MIN_CHUNK_SIZE;
        NodeConfig config = NodeConfig.defaults()
                .withHttp(HttpConfig.loopback(0))
                .withStorage(StorageConfig.of(new StorageBackend.S3(S3.config().withChunkSizes(min, min, min))))
                .withProxy(ProxyConfig.none().withTagTtl(Duration.ofMinutes(1)).withSpoolDirectory(work.resolve("spool")));
        try (DistributionProcess upstream = MirrorFixture.upstream(work, "upstream", "")) {
            TestImage image = TestImage.random(60, 12 * 1024 * 1024, 1_000);
            image.push(upstream.baseUri(), "team/app", "v1");
            FleetMirrorNode node = FleetMirrorNode.start(config.withProxy(config.proxy().withUpstreams(
                            List.of(MirrorFixture.catchAll(upstream.baseUri())))))
                    .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            try {
                List<CompletableFuture<Map<Digest, byte[]>>> pulls = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    pulls.add(CompletableFuture.supplyAsync(() -> pull(uri(node), "team/app", "v1")));
                }
                for (var result : pulls) {
                    Map<Digest, byte[]> blobs = result.get(120, TimeUnit.SECONDS);
                    for (Digest blob : image.blobDigests()) {
                        assertThat(blobs.get(blob)).isEqualTo(image.blob(blob));
                    }
                }
                for (Digest blob : image.blobDigests()) {
                    assertThat(blobGets(upstream, "team/app", blob)).isEqualTo(1);
                }
                upstream.close();
                // Pulled until the fills have stored everything: an AssertionError means not yet.
                Map<Digest, byte[]> fromBucket = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                        .ignoreExceptionsInstanceOf(AssertionError.class)
                        .until(() -> pull(uri(node), "team/app", image.digest().toString()), pulled -> true);
                for (Digest blob : image.blobDigests()) {
                    assertThat(fromBucket.get(blob)).isEqualTo(image.blob(blob));
                }
            } finally {
                MirrorFixture.stop(node);
            }
        }
    }
}
