package dev.fleetmirror.node.localcache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.node.FleetMirrorNode;
import dev.fleetmirror.node.config.ConfigLoader;
import dev.fleetmirror.node.config.HttpConfig;
import dev.fleetmirror.node.config.LocalCacheConfig;
import dev.fleetmirror.node.config.NodeConfig;
import dev.fleetmirror.node.config.StorageBackend;
import dev.fleetmirror.node.config.StorageConfig;
import dev.fleetmirror.node.proxy.TestImage;
import dev.fleetmirror.node.testing.RegistryHttpClient;
import dev.fleetmirror.storage.s3.testing.S3ProxyExtension;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node on S3 (S3Proxy) with {@code localcache}: a blob served once is copied to local disk, and
 * from then on its bytes come from the copy. Shown by changing the object behind S3's back: the
 * node keeps serving the right bytes. A blob unlinked from its repository is not served from a
 * leftover copy.
 */
class LocalTierS3Test {
    @RegisterExtension
    static final S3ProxyExtension S3 = new S3ProxyExtension("localtier");

    @TempDir
    Path work;

    @Test
    void aServedBlobIsSentFromItsLocalCopyAfterwards() throws Exception {
        NodeConfig config = NodeConfig.defaults().withHttp(HttpConfig.loopback(0))
                .withStorage(StorageConfig.of(new StorageBackend.S3(S3.config()))
                        .withLocalCache(Optional.of(new LocalCacheConfig(work.resolve("local"), 50_000_000))));
        FleetMirrorNode node = FleetMirrorNode.start(config).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        try {
            URI uri = URI.create("http://127.0.0.1:" + node.port());
            TestImage image = TestImage.random(5, 400_000);
            image.push(uri, "team/app", "1");
            Digest layer = image.blobDigests().get(1);
            RegistryHttpClient client = new RegistryHttpClient(uri);
            assertThat(client.call("GET", "/v2/team/app/blobs/" + layer).send().body()).isEqualTo(image.blob(layer));

            Path copy = work.resolve("local/sha256").resolve(layer.hex());
            await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(copy));
            assertThat(copy).hasBinaryContent(image.blob(layer));

            // The object in the bucket now holds other bytes of the same length: only the copy has the right ones.
            Path object = S3.process().dataDirectory().resolve(S3.bucket()).resolve("docker/registry/v2/blobs/sha256")
                    .resolve(layer.hex().substring(0, 2)).resolve(layer.hex()).resolve("data");
            assertThat(object).exists();
            byte[] changed = image.blob(layer).clone();
            changed[0] ^= 1;
            Files.write(object, changed);
            assertThat(client.call("GET", "/v2/team/app/blobs/" + layer).send().body()).isEqualTo(image.blob(layer));
            // A range is sent from the copy too.
            RegistryHttpClient.Response range = client.call("GET", "/v2/team/app/blobs/" + layer)
                    .header("Range", "bytes=0-9").send();
            assertThat(range.status()).isEqualTo(206);
            assertThat(range.body()).isEqualTo(java.util.Arrays.copyOfRange(image.blob(layer), 0, 10));

            // Unlinked from the repository: the copy is not used to pretend otherwise.
            assertThat(client.call("DELETE", "/v2/team/app/blobs/" + layer).send().status()).isEqualTo(202);
            assertThat(client.call("GET", "/v2/team/app/blobs/" + layer).send().status()).isEqualTo(404);
        } finally {
            node.close(1).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void theSectionIsReadFromTheConfigFile() {
        NodeConfig config = ConfigLoader.fromYaml("localcache:\n  directory: /var/cache/fm\n  maxsize: 20GiB\n", Map.of());
        assertThat(config.storage().localCache()).contains(new LocalCacheConfig(Path.of("/var/cache/fm"), 20L << 30));
        assertThat(ConfigLoader.fromYaml("version: 0.1\n", Map.of()).storage().localCache()).isEmpty();
        org.assertj.core.api.Assertions.assertThatThrownBy(() ->
                        ConfigLoader.fromYaml("localcache:\n  directory: /x\n  maxsize: lots\n", Map.of()))
                .hasMessageContaining("localcache.maxsize").hasMessageContaining("lots");
    }

    @Test
    void withS3StorageTheTierIsOnByDefaultBesideTheSpoolDirectoryUnlessDisabled() {
        String s3 = "storage:\n  s3:\n    bucket: b\n    region: us-east-1\n    regionendpoint: http://127.0.0.1:9000\n"
                + "    accesskey: a\n    secretkey: s\n";
        String spool = "proxy:\n  spooldirectory: " + work.resolve("spool") + "\n";
        Optional<LocalCacheConfig> tier = ConfigLoader.fromYaml(s3 + spool, Map.of()).storage().localCache();
        assertThat(tier).isPresent();
        assertThat(tier.get().directory()).isEqualTo(work.resolve("fleetmirror-localcache"));
        long free = work.toFile().getUsableSpace();
        long expected = Math.min(LocalCacheConfig.DEFAULT_CAP, Math.max(256L << 20, free / 10));
        // Free space moves while other processes write: a tenth of it, give or take a percent.
        assertThat(tier.get().maxBytes()).isBetween(expected - expected / 100, expected + expected / 100);

        assertThat(ConfigLoader.fromYaml(s3 + "localcache:\n  maxsize: 2GiB\n", Map.of()).storage().localCache())
                .map(LocalCacheConfig::maxBytes).contains(2L << 30);
        assertThat(ConfigLoader.fromYaml(s3 + "localcache:\n  enabled: false\n", Map.of()).storage().localCache())
                .isEmpty();
        // Filesystem storage sends blobs from their own files: no tier unless a directory is given.
        assertThat(ConfigLoader.fromYaml("localcache:\n  enabled: true\n", Map.of()).storage().localCache()).isEmpty();
    }

    @Test
    void aSecondNodeOnTheSameDirectoryRunsWithoutTheTier() {
        Path dir = work.resolve("shared");
        try (LocalBlobCache first = new LocalBlobCache(dir, 1_000_000)) {
            assertThat(LocalBlobCache.open(dir, 1_000_000)).isEmpty();
        }
        Optional<LocalBlobCache> after = LocalBlobCache.open(dir, 1_000_000);
        assertThat(after).as("free again once the first closed").isPresent();
        after.get().close();
    }
}
