package dev.fleetmirror.node.proxy;

import static dev.fleetmirror.node.proxy.MirrorFixture.pull;
import static dev.fleetmirror.node.proxy.MirrorFixture.uri;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.manifest.MediaTypes;
import dev.fleetmirror.node.FleetMirrorNode;
import dev.fleetmirror.node.config.UpstreamConfig;
import dev.fleetmirror.node.api.Staleness;
import dev.fleetmirror.node.testing.FillsInFlight;
import dev.fleetmirror.node.testing.RegistryHttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A docker-registry behind Docker token authentication ({@link TokenGate}), and its failure answers. */
class TokenAuthenticatedUpstreamTest {
    @TempDir
    Path work;

    @RegisterExtension
    final MirrorRig rig = new MirrorRig();

    @BeforeEach
    void startUpstream() {
        rig.startUpstream(work, "upstream", "");
    }

    private FleetMirrorNode mirror(String realmHost, Duration tagTtl) throws Exception {
        rig.track(TokenGate.start(rig.upstream().baseUri(), "robot", "pa55", realmHost));
        rig.startNode(work.resolve("node"), work.resolve("spool"), tagTtl,
                new UpstreamConfig("gated", rig.gate().baseUri(), Optional.of("robot"), Optional.of("pa55"), "", true).withPrivacy(UpstreamConfig.Privacy.PUBLIC));
        return rig.node();
    }

    @Test
    void tokenIsFetchedWithTheCredentialsOncePerScopeAndReused() throws Exception {
        TestImage image = TestImage.random(40, 100_000, 5_000);
        image.push(rig.upstream().baseUri(), "team/app", "v1");
        mirror("127.0.0.1", Duration.ofMinutes(1));

        Map<Digest, byte[]> pulled = pull(uri(rig.node()), "team/app", "v1");

        for (Digest blob : image.blobDigests()) {
            assertThat(pulled.get(blob)).isEqualTo(image.blob(blob));
        }
        assertThat(rig.gate().tokenRequests()).containsExactly(new TokenGate.TokenRequest("repository:team/app:pull", true));
    }

    @Test
    void credentialsAreNotSentToARealmOutsideTheUpstreamsHost() throws Exception {
        TestImage image = TestImage.random(41, 1_000);
        image.push(rig.upstream().baseUri(), "team/app", "v1");
        mirror("localhost", Duration.ofMinutes(1));

        RegistryHttpClient.Response response = new RegistryHttpClient(uri(rig.node())).call("GET", "/v2/team/app/manifests/v1")
                .header("Accept", MediaTypes.OCI_MANIFEST).send();

        assertThat(response.status()).isEqualTo(403);
        assertThat(response.errorCodes()).containsExactly("DENIED");
        assertThat(rig.gate().tokenRequests()).isNotEmpty().allSatisfy(r -> assertThat(r.hadCredentials()).isFalse());
    }

    @Test
    void rateLimitedUpstreamWithoutCacheIsPassedOnWithRetryAfter() throws Exception {
        mirror("127.0.0.1", Duration.ofMinutes(1));
        rig.gate().failWith(429, "7");

        RegistryHttpClient.Response response = new RegistryHttpClient(uri(rig.node())).call("GET", "/v2/team/app/manifests/v1")
                .header("Accept", MediaTypes.OCI_MANIFEST).send();

        assertThat(response.status()).isEqualTo(429);
        assertThat(response.errorCodes()).containsExactly("TOOMANYREQUESTS");
        assertThat(response.headerOrEmpty("Retry-After")).isEqualTo("7");
    }

    @Test
    void upstreamConnectionLostMidBlobFailsEveryClientCachesNothingAndTheNextPullRetries() throws Exception {
        TestImage image = TestImage.random(43, 3 * 1024 * 1024);
        image.push(rig.upstream().baseUri(), "team/app", "v1");
        Digest layer = image.blobDigests().get(1);
        mirror("127.0.0.1", Duration.ofMinutes(1));
        // Trickling, so that all four clients wait on the one fill the cut breaks.
        rig.gate().slowBlobs(10);
        rig.gate().cutBlobsAfter(512 * 1024);
        java.util.List<java.util.concurrent.CompletableFuture<Integer>> clients = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            clients.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    RegistryHttpClient.Response response = new RegistryHttpClient(uri(rig.node()))
                            .call("GET", "/v2/team/app/blobs/" + layer).send();
                    return response.status() == 200 && Digest.sha256(response.body()).equals(layer) ? 1 : 0;
                } catch (RuntimeException broken) {
                    return 0;
                }
            }));
        }
        for (var client : clients) {
            assertThat(client.get(60, java.util.concurrent.TimeUnit.SECONDS)).as("a client got the whole blob").isZero();
        }
        // The broken fill is over (it was never going to store anything) before its traces are looked at.
        FillsInFlight.awaitNone(uri(rig.node()));
        assertThat(MirrorFixture.cached(work.resolve("node"), layer)).isFalse();
        assertThat(MirrorFixture.blobGets(rig.upstream(), "team/app", layer)).as("the broken fill reached the upstream").isEqualTo(1);

        rig.gate().cutBlobsAfter(-1);
        rig.gate().slowBlobs(0);
        RegistryHttpClient.Response retried = new RegistryHttpClient(uri(rig.node())).call("GET", "/v2/team/app/blobs/" + layer).send();

        assertThat(retried.status()).isEqualTo(200);
        assertThat(retried.body()).isEqualTo(image.blob(layer));
    }

    @Test
    void clientsLeavingMidFillDoNotCancelIt() throws Exception {
        TestImage image = TestImage.random(44, 1024 * 1024);
        image.push(rig.upstream().baseUri(), "team/app", "v1");
        Digest layer = image.blobDigests().get(1);
        mirror("127.0.0.1", Duration.ofMinutes(1));
        rig.gate().slowBlobs(20);
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_1_1).build();

        for (int i = 0; i < 3; i++) {
            java.net.http.HttpResponse<java.io.InputStream> response = http.send(java.net.http.HttpRequest.newBuilder(
                    uri(rig.node()).resolve("/v2/team/app/blobs/" + layer)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofInputStream());
            try (java.io.InputStream body = response.body()) {
                assertThat(body.readNBytes(1000)).hasSize(1000);
            }
        }
        assertThat(MirrorFixture.cached(work.resolve("node"), layer)).as("still filling when the clients left").isFalse();

        await().atMost(java.time.Duration.ofSeconds(60)).until(() -> MirrorFixture.cached(work.resolve("node"), layer));
        assertThat(java.nio.file.Files.readAllBytes(MirrorFixture.blobData(work.resolve("node"), layer)))
                .isEqualTo(image.blob(layer));
        assertThat(MirrorFixture.blobGets(rig.upstream(), "team/app", layer)).isEqualTo(1);
    }

    @Test
    void failingUpstreamServesTheCachedCopyMarkedStale() throws Exception {
        TestImage image = TestImage.random(42, 10_000);
        image.push(rig.upstream().baseUri(), "team/app", "v1");
        mirror("127.0.0.1", Duration.ZERO);
        pull(uri(rig.node()), "team/app", "v1");
        rig.gate().failWith(503, "30");
        RegistryHttpClient client = new RegistryHttpClient(uri(rig.node()));

        RegistryHttpClient.Response cached = client.call("GET", "/v2/team/app/manifests/v1")
                .header("Accept", MediaTypes.OCI_MANIFEST).send();
        RegistryHttpClient.Response uncached = client.call("GET", "/v2/team/other/manifests/v1")
                .header("Accept", MediaTypes.OCI_MANIFEST).send();

        assertThat(cached.status()).isEqualTo(200);
        assertThat(cached.body()).isEqualTo(image.manifest());
        assertThat(cached.headerOrEmpty(Staleness.HEADER)).isEqualTo("upstream status 503");
        assertThat(uncached.status()).isEqualTo(503);
        assertThat(uncached.errorCodes()).containsExactly("UNAVAILABLE");
        assertThat(uncached.headerOrEmpty("Retry-After")).isEqualTo("30");
    }
}
