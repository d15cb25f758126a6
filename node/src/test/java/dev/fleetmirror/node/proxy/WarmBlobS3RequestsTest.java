package dev.fleetmirror.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.node.FleetMirrorNode;
import dev.fleetmirror.node.config.HttpConfig;
import dev.fleetmirror.node.config.LocalCacheConfig;
import dev.fleetmirror.node.config.NodeConfig;
import dev.fleetmirror.node.config.ProxyConfig;
import dev.fleetmirror.node.config.StorageBackend;
import dev.fleetmirror.node.config.StorageConfig;
import dev.fleetmirror.node.config.UpstreamConfig;
import dev.fleetmirror.node.testing.DistributionProcess;
import dev.fleetmirror.node.testing.FillsInFlight;
import dev.fleetmirror.node.testing.RegistryHttpClient;
import dev.fleetmirror.node.testing.S3RequestCounter;
import dev.fleetmirror.storage.s3.S3StorageConfig;
import dev.fleetmirror.storage.s3.testing.S3ProxyExtension;
import dev.fleetmirror.storage.s3.testing.S3ProxyProcess;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What a warm blob GET asks of S3, counted at the S3 endpoint (a relay in front of S3Proxy), for
 * hosted and mirrored repositories, GETs and ranges: with the local tier holding a copy, nothing
 * (and for a mirrored blob no data read even on the first GET after its fill, which leaves its
 * verified bytes in the tier);
 * without the tier, one request, the data read; with presigned redirects, only the client's own
 * read of the data. Whether the repository links the blob comes from
 * the cluster's blob index, not from a link read and a stat per request.
 */
class WarmBlobS3RequestsTest {
    @RegisterExtension
    static final S3ProxyExtension S3 = new S3ProxyExtension("warm-requests");

    private static S3RequestCounter counter;
    private static DistributionProcess upstream;
    @TempDir
    static Path work;

    @BeforeAll
    static void start() throws Exception {
        counter = S3RequestCounter.start(S3.process().endpoint());
        if (DistributionProcess.available()) {
            upstream = MirrorFixture.upstream(work, "upstream", "");
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (upstream != null) {
            upstream.close();
        }
        counter.close();
    }

    static Stream<Arguments> cases() {
        return Stream.of(true, false).flatMap(tier -> Stream.of("hosted", "mirrored").flatMap(kind ->
                Stream.of(Optional.<String>empty(), Optional.of("bytes=100-4099")).map(range -> Arguments.of(tier, kind, range))));
    }

    @ParameterizedTest(name = "tier {0}, {1} repository, range {2}")
    @MethodSource("cases")
    void aWarmGetReadsOnlyTheDataFromS3AndNothingWithTheTier(boolean tier, String kind, Optional<String> range)
            throws Exception {
        boolean mirrored = kind.equals("mirrored");
        if (mirrored) {
            assumeTrue(upstream != null, DistributionProcess.absentReason());
        }
        String name = "case-" + tier + "-" + kind + "-" + range.isPresent();
        Path dir = work.resolve(name);
        S3StorageConfig s3 = S3StorageConfig.of(S3.bucket(), counter.endpoint(), S3ProxyProcess.ACCESS_KEY,
                S3ProxyProcess.SECRET_KEY).withRootDirectory(name);
        NodeConfig config = NodeConfig.defaults().withHttp(HttpConfig.loopback(0))
                .withStorage(StorageConfig.of(new StorageBackend.S3(s3)).withLocalCache(tier
                        ? Optional.of(new LocalCacheConfig(dir.resolve("tier"), 100_000_000)) : Optional.empty()))
                .withProxy(ProxyConfig.none().withSpoolDirectory(dir.resolve("spool")).withTagTtl(Duration.ofMinutes(5))
                        .withUpstreams(upstream == null ? List.of() : List.of(new UpstreamConfig("upstream",
                                upstream.baseUri(), Optional.empty(), Optional.empty(), "mirror/", true))));
        FleetMirrorNode node = FleetMirrorNode.start(config).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        try {
            URI uri = MirrorFixture.uri(node);
            TestImage image = TestImage.random(name.hashCode(), 300_000, 2_000);
            String repo;
            if (mirrored) {
                image.push(upstream.baseUri(), name, "v1");
                repo = "mirror/" + name;
                MirrorFixture.pull(uri, repo, "v1");
                // Fills store what they fetched after the client has it: stored, the blob is warm.
                FillsInFlight.awaitNone(uri);
            } else {
                repo = "team/" + name;
                image.push(uri, repo, "v1");
            }
            Digest layer = image.blobDigests().get(1);
            RegistryHttpClient client = new RegistryHttpClient(uri);
            String path = "/v2/" + repo + "/blobs/" + layer;
            byte[] whole = image.blob(layer);
            byte[] expected = range.isPresent() ? java.util.Arrays.copyOfRange(whole, 100, 4100) : whole;
            if (mirrored && tier) {
                // The fill's verified bytes became the tier's copy: even the first warm GET reads no data from
                // S3. It asks only whether the repository links the blob: each commit of the pull started the
                // repository's next index generation, which knows nothing yet.
                Path copy = dir.resolve("tier/sha256").resolve(layer.hex());
                await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(copy));
                counter.reset();
                assertThat(get(client, path, range)).isEqualTo(expected);
                assertThat(counter.counts()).as("S3 requests of the first warm GET after a fill: %s", counter.requests())
                        .isEqualTo(Map.of("GET", 1L, "HEAD", 1L));
                assertThat(counter.requests()).noneMatch(request -> request.startsWith("GET ") && request.endsWith("/data"));
            }
            // Warm: served once from storage (and, with the tier, copied to local disk).
            assertThat(get(client, path, range)).isEqualTo(expected);
            if (tier) {
                Path copy = dir.resolve("tier/sha256").resolve(layer.hex());
                await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(copy));
            }

            counter.reset();
            assertThat(get(client, path, range)).isEqualTo(expected);
            assertThat(client.call("HEAD", path).send().status()).isEqualTo(200);
            Map<String, Long> counts = counter.counts();
            if (tier) {
                assertThat(counter.total()).as("S3 requests of a warm GET and HEAD from the tier: %s", counter.requests())
                        .isZero();
            } else {
                assertThat(counts).as("S3 requests of a warm GET and HEAD without the tier: %s", counter.requests())
                        .isEqualTo(Map.of("GET", 1L));
                assertThat(counter.requests().get(0)).contains(layer.hex()).contains("/data");
            }
        } finally {
            node.close(1).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    @org.junit.jupiter.api.Test
    void aRedirectedWarmGetLeavesTheOnlyS3RequestToTheClient() throws Exception {
        S3StorageConfig s3 = S3StorageConfig.of(S3.bucket(), counter.endpoint(), S3ProxyProcess.ACCESS_KEY,
                S3ProxyProcess.SECRET_KEY).withRootDirectory("redirect");
        NodeConfig config = NodeConfig.defaults().withHttp(HttpConfig.loopback(0))
                .withStorage(StorageConfig.of(new StorageBackend.S3(s3)).withRedirectDisabled(false))
                .withProxy(ProxyConfig.none().withSpoolDirectory(work.resolve("redirect-spool")));
        FleetMirrorNode node = FleetMirrorNode.start(config).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        try {
            URI uri = MirrorFixture.uri(node);
            TestImage image = TestImage.random(4711, 200_000);
            image.push(uri, "team/redirect", "v1");
            Digest layer = image.blobDigests().get(1);
            // The client follows the 307 to the presigned URL, which names the counted endpoint too.
            RegistryHttpClient client = new RegistryHttpClient(uri);
            String path = "/v2/team/redirect/blobs/" + layer;
            assertThat(client.call("GET", path).send().body()).isEqualTo(image.blob(layer));

            counter.reset();
            assertThat(client.call("GET", path).send().body()).isEqualTo(image.blob(layer));
            assertThat(counter.counts()).as("S3 requests of a redirected warm GET: %s", counter.requests())
                    .isEqualTo(Map.of("GET", 1L));
            assertThat(counter.requests().get(0)).as("the client's read of the presigned URL")
                    .contains(layer.hex()).contains("X-Amz-Signature");
        } finally {
            node.close(1).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    private static byte[] get(RegistryHttpClient client, String path, Optional<String> range) {
        RegistryHttpClient.Call call = client.call("GET", path);
        range.ifPresent(r -> call.header("Range", r));
        RegistryHttpClient.Response response = call.send();
        assertThat(response.status()).isEqualTo(range.isPresent() ? 206 : 200);
        return response.body();
    }
}
