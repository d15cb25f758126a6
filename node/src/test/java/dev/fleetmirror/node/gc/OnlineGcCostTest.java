package dev.fleetmirror.node.gc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.manifest.MediaTypes;
import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.storage.StorageDriver;
import dev.fleetmirror.core.storage.StoragePaths;
import dev.fleetmirror.gc.GarbageCollector;
import dev.fleetmirror.gc.GcReport;
import dev.fleetmirror.node.config.GcConfig;
import dev.fleetmirror.node.config.StorageBackend;
import dev.fleetmirror.node.proxy.TestImage;
import dev.fleetmirror.storage.s3.S3StorageConfig;
import dev.fleetmirror.storage.s3.S3StorageDriver;
import dev.fleetmirror.storage.s3.testing.S3CallRecorder;
import dev.fleetmirror.storage.s3.testing.S3ProxyExtension;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;

/**
 * What an online GC costs on S3 (S3Proxy): the read-only window excludes the mark, and a repeat run
 * reads no manifest (its references come from the reference index).
 */
class OnlineGcCostTest {
    @RegisterExtension
    static final S3ProxyExtension S3 = new S3ProxyExtension("online-gc-cost");
    private static final int MANIFESTS = 300;

    private GcCluster cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void theWindowExcludesTheMarkAndARepeatRunReadsNoManifest() throws Exception {
        S3StorageConfig bucket = S3.config().withRootDirectory("/" + UUID.randomUUID());
        S3CallRecorder calls = new S3CallRecorder();
        try (StorageDriver storage = S3StorageDriver.open(bucket, List.of(calls))) {
            seed(storage);
            cluster = GcCluster.start(1, new StorageBackend.S3(bucket), new GcConfig(Optional.empty(), false, Duration.ZERO, GcConfig.DEFAULT_MAX_HOLD, Duration.ZERO));

            JsonNode first = cluster.collect(cluster.nodes.get(0));
            assertThat(first.path("manifestsRead").asLong()).as(first.toString()).isEqualTo(MANIFESTS);
            assertThat(first.path("manifestsReadInWindow").asLong()).as(first.toString()).isZero();
            long mark = first.path("markMillis").asLong();
            long window = first.path("windowMillis").asLong();
            assertThat(window).as("the read-only window (drain included) against the mark, ms: %s", first)
                    .isLessThan(mark / 5);
            assertThat(first.path("requestsGet").asLong()).as(first.toString()).isGreaterThanOrEqualTo(MANIFESTS);

            JsonNode second = cluster.collect(cluster.nodes.get(0));
            assertThat(second.path("manifestsRead").asLong()).as(second.toString()).isZero();
            // The 16 shards of the reference index, nothing per manifest.
            assertThat(second.path("requestsGet").asLong()).as(second.toString()).isLessThanOrEqualTo(16);
            assertThat(second.path("requestsTotal").asLong()).as(second.toString())
                    .isLessThan(first.path("requestsTotal").asLong() / 5);

            // The same, counted at the S3 client of a collector of our own: no GET of a manifest's data.
            calls.clear();
            GcReport dry = new GarbageCollector(storage, new GarbageCollector.Options(true, false, Duration.ZERO, 4),
                    Clock.systemUTC(), new GarbageCollector.Listener() { }).run();
            List<String> gets = calls.calls("GetObject").stream()
                    .map(call -> ((GetObjectRequest) call.request()).key()).toList();
            assertThat(gets).as("objects read").isNotEmpty().noneMatch(key -> key.contains("/docker/registry/v2/"));
            assertThat(dry.manifestsRead()).isZero();
            assertThat(dry.manifestsMarked()).isEqualTo(MANIFESTS);

            // One new manifest: one manifest read.
            TestImage fresh = TestImage.random(7001, 3_000);
            fresh.push(GcCluster.uri(cluster.nodes.get(0)), "cost/new", "v1");
            JsonNode third = cluster.collect(cluster.nodes.get(0));
            assertThat(third.path("manifestsRead").asLong()).as(third.toString()).isEqualTo(1);
            System.out.printf("online GC of %d manifests on S3Proxy: first run mark %d ms, window %d ms, %d requests"
                            + " (%d GETs); repeat run mark %d ms, window %d ms, %d requests (%d GETs), %d manifests read%n",
                    MANIFESTS, mark, window, first.path("requestsTotal").asLong(), first.path("requestsGet").asLong(),
                    second.path("markMillis").asLong(), second.path("windowMillis").asLong(),
                    second.path("requestsTotal").asLong(), second.path("requestsGet").asLong(),
                    second.path("manifestsRead").asLong());
        }
    }

    /** {@link #MANIFESTS} images in Distribution's layout, written straight to the bucket, 8 at a time. */
    private static void seed(StorageDriver storage) throws Exception {
        ExecutorService writers = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> written = new ArrayList<>();
            for (int i = 0; i < MANIFESTS; i++) {
                int n = i;
                written.add(writers.submit(() -> {
                    RepositoryName repo = RepositoryName.of("cost/repo" + (n % 10));
                    byte[] layer = ("layer " + (n % 40)).getBytes(StandardCharsets.UTF_8);
                    byte[] config = ("{\"n\":" + n + "}").getBytes(StandardCharsets.UTF_8);
                    byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST
                            + "\",\"config\":{\"mediaType\":\"" + MediaTypes.OCI_CONFIG + "\",\"digest\":\""
                            + Digest.sha256(config) + "\",\"size\":" + config.length + "},\"layers\":[{\"mediaType\":"
                            + "\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"" + Digest.sha256(layer)
                            + "\",\"size\":" + layer.length + "}]}").getBytes(StandardCharsets.UTF_8);
                    for (byte[] blob : List.of(layer, config, manifest)) {
                        storage.putContent(StoragePaths.blobData(Digest.sha256(blob)), blob);
                    }
                    storage.putContent(StoragePaths.layerLink(repo, Digest.sha256(layer)), StoragePaths.linkContent(Digest.sha256(layer)));
                    storage.putContent(StoragePaths.layerLink(repo, Digest.sha256(config)), StoragePaths.linkContent(Digest.sha256(config)));
                    storage.putContent(StoragePaths.revisionLink(repo, Digest.sha256(manifest)),
                            StoragePaths.linkContent(Digest.sha256(manifest)));
                    return null;
                }));
            }
            for (Future<?> future : written) {
                future.get();
            }
        } finally {
            writers.shutdown();
        }
    }
}
