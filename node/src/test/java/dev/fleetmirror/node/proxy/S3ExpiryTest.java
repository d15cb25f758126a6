package dev.fleetmirror.node.proxy;

import static dev.fleetmirror.node.proxy.MirrorFixture.pull;
import static dev.fleetmirror.node.proxy.MirrorFixture.uri;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.name.Tag;
import dev.fleetmirror.core.storage.PathNotFoundException;
import dev.fleetmirror.core.storage.StorageDriver;
import dev.fleetmirror.core.storage.StoragePaths;
import dev.fleetmirror.gc.expiry.CacheExpiry;
import dev.fleetmirror.gc.expiry.LastPulls;
import dev.fleetmirror.gc.purge.UploadPurger;
import dev.fleetmirror.node.FleetMirrorNode;
import dev.fleetmirror.node.config.HttpConfig;
import dev.fleetmirror.node.config.NodeConfig;
import dev.fleetmirror.node.config.ProxyConfig;
import dev.fleetmirror.node.config.StorageBackend;
import dev.fleetmirror.node.config.StorageConfig;
import dev.fleetmirror.node.config.StorageDrivers;
import dev.fleetmirror.node.testing.DistributionProcess;
import dev.fleetmirror.storage.s3.testing.S3ProxyExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Pull times, expiry and upload purging on S3 storage (S3Proxy), where directories are only key prefixes. */
class S3ExpiryTest {
    @RegisterExtension
    static final S3ProxyExtension S3 = new S3ProxyExtension("expiry");

    private static final RepositoryName APP = RepositoryName.of("team/app");

    @TempDir
    Path work;

    @Test
    void pullTimesAreStoredInTheBucketAndExpiryUnlinksWhatWasNotPulledWithoutDeletingBlobs() throws Exception {
        assumeTrue(DistributionProcess.available(), DistributionProcess.absentReason());
        NodeConfig config = NodeConfig.defaults()
                .withHttp(HttpConfig.loopback(0))
                .withStorage(StorageConfig.of(new StorageBackend.S3(S3.config())))
                .withProxy(ProxyConfig.none().withTagTtl(Duration.ofMinutes(1)).withSpoolDirectory(work.resolve("spool")));
        try (DistributionProcess upstream = MirrorFixture.upstream(work, "upstream", "");
             StorageDriver bucket = StorageDrivers.open(config.storage().backend())) {
            TestImage image = TestImage.random(81, 20_000);
            image.push(upstream.baseUri(), "team/app", "v1");
            FleetMirrorNode node = FleetMirrorNode.start(config.withProxy(config.proxy().withUpstreams(
                            List.of(MirrorFixture.catchAll(upstream.baseUri())))))
                    .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            try {
                pull(uri(node), "team/app", "v1");
                // Fills reach the bucket after the client has its bytes.
                for (Digest blob : image.blobDigests()) {
                    await().atMost(30, TimeUnit.SECONDS).ignoreExceptions()
                            .until(() -> bucket.stat(StoragePaths.blobData(blob)).size() == image.blob(blob).length);
                }
            } finally {
                MirrorFixture.stop(node);
            }
            Instant pulled = new LastPulls(bucket).read(APP, image.digest()).orElseThrow();

            CacheExpiry withinTtl = new CacheExpiry(bucket, Duration.ofDays(7), repo -> true,
                    Clock.fixed(pulled.plus(Duration.ofDays(6)), ZoneOffset.UTC));
            assertThat(withinTtl.run(false).manifestsUnlinked()).isZero();
            CacheExpiry pastTtl = new CacheExpiry(bucket, Duration.ofDays(7), repo -> true,
                    Clock.fixed(pulled.plus(Duration.ofDays(8)), ZoneOffset.UTC));
            assertThat(pastTtl.run(false).tagsUnlinked()).isEqualTo(1);

            assertThatThrownBy(() -> bucket.stat(StoragePaths.revisionLink(APP, image.digest())))
                    .isInstanceOf(PathNotFoundException.class);
            assertThatThrownBy(() -> bucket.stat(StoragePaths.tagCurrentLink(APP, Tag.of("v1"))))
                    .isInstanceOf(PathNotFoundException.class);
            for (Digest blob : image.blobDigests()) {
                assertThat(bucket.stat(StoragePaths.blobData(blob)).size()).isEqualTo(image.blob(blob).length);
            }
        }
    }

    @Test
    void oldUploadSessionsArePurgedFromTheBucket() {
        try (StorageDriver bucket = StorageDrivers.open(new StorageBackend.S3(S3.config()))) {
            RepositoryName repo = RepositoryName.of("purge/app");
            String old = "11111111-1111-1111-1111-111111111111";
            String young = "22222222-2222-2222-2222-222222222222";
            Instant now = Instant.now();
            bucket.putContent(StoragePaths.uploadStartedAt(repo, old),
                    now.minus(Duration.ofDays(8)).toString().getBytes(StandardCharsets.US_ASCII));
            bucket.putContent(StoragePaths.uploadData(repo, old), new byte[] {1});
            bucket.putContent(StoragePaths.uploadStartedAt(repo, young), now.toString().getBytes(StandardCharsets.US_ASCII));

            new UploadPurger(bucket, Duration.ofDays(7), Clock.fixed(now, ZoneOffset.UTC)).run(false);

            assertThat(bucket.list(StoragePaths.uploadsDir(repo))).containsExactly(StoragePaths.uploadDir(repo, young));
        }
    }
}
