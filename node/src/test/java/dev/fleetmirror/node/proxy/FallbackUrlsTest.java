package dev.fleetmirror.node.proxy;

import static dev.fleetmirror.node.proxy.MirrorFixture.blobData;
import static dev.fleetmirror.node.proxy.MirrorFixture.pull;
import static dev.fleetmirror.node.proxy.MirrorFixture.requests;
import static dev.fleetmirror.node.proxy.MirrorFixture.uri;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.manifest.MediaTypes;
import dev.fleetmirror.node.FleetMirrorNode;
import dev.fleetmirror.node.config.UpstreamConfig;
import dev.fleetmirror.node.testing.DistributionProcess;
import dev.fleetmirror.node.testing.RegistryHttpClient;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One upstream reached at two URLs ({@code urls: [accelerator, origin]}), each a real docker-registry
 * process: when the accelerator is down, or serves content that does not match its digest (its
 * files tampered with, as a broken or poisoned cache would), pulls go to the origin, every digest
 * still holds, and the node's health reports name the failing URL.
 */
class FallbackUrlsTest {
    private static final String REPO = "team/app";

    @TempDir
    Path work;

    private DistributionProcess accelerator;
    private DistributionProcess origin;
    private FleetMirrorNode node;

    @BeforeEach
    void startUpstreams() {
        assumeTrue(DistributionProcess.available(), DistributionProcess.absentReason());
        accelerator = MirrorFixture.upstream(work, "accelerator", "");
        origin = MirrorFixture.upstream(work, "origin", "");
    }

    @AfterEach
    void stopAll() throws Exception {
        MirrorFixture.stop(node);
        for (DistributionProcess upstream : new DistributionProcess[] {accelerator, origin}) {
            if (upstream != null) {
                upstream.close();
            }
        }
    }

    private URI mirror() throws Exception {
        // A long back-off: within a test a skipped URL stays skipped, so what the origin serves is deterministic.
        UpstreamConfig upstream = new UpstreamConfig("hub", accelerator.baseUri(), Optional.empty(), Optional.empty(), "", true)
                .withUrls(List.of(accelerator.baseUri(), origin.baseUri()))
                .withBackoff(new UpstreamConfig.Backoff(Duration.ofMinutes(5), Duration.ofMinutes(10)));
        node = MirrorFixture.node(work.resolve("mirror-storage"), work.resolve("mirror-spool"), Duration.ofMinutes(1), upstream);
        return uri(node);
    }

    private TestImage onBoth(long seed) {
        TestImage image = TestImage.random(seed, 30_000, 5_000);
        image.push(accelerator.baseUri(), REPO, "v1");
        image.push(origin.baseUri(), REPO, "v1");
        return image;
    }

    @Test
    void pullsKeepWorkingThroughTheOriginWhileTheAcceleratorIsStopped() throws Exception {
        TestImage image = onBoth(81);
        URI mirror = mirror();
        URI acceleratorUrl = accelerator.baseUri();
        accelerator.close();
        accelerator = null;

        Map<Digest, byte[]> pulled = pull(mirror, REPO, "v1");

        assertThat(pulled.keySet()).contains(image.digest()).containsAll(image.blobDigests());
        assertThat(requests(origin, "GET", "/v2/" + REPO + "/manifests/v1")).isEqualTo(1);
        for (Digest blob : image.blobDigests()) {
            assertThat(MirrorFixture.blobGets(origin, REPO, blob)).as("blob %s from the origin", blob).isEqualTo(1);
        }
        JsonNode urls = clusterUrls(mirror);
        assertThat(urls.get(0).path("url").asText()).isEqualTo(acceleratorUrl.toString());
        assertThat(urls.get(0).path("healthy").asBoolean()).isFalse();
        assertThat(urls.get(0).path("lastFailure").asText()).isEqualTo("upstream unreachable");
        assertThat(urls.get(0).path("skippedUntil").isTextual()).isTrue();
        assertThat(urls.get(1).path("url").asText()).isEqualTo(origin.baseUri().toString());
        assertThat(urls.get(1).path("healthy").asBoolean()).isTrue();
        assertThat(urls.get(1).path("lastStatus").asInt()).isEqualTo(200);
        String metrics = new RegistryHttpClient(mirror).call("GET", "/metrics").send().text();
        assertThat(metrics).contains("fleetmirror_upstream_url_up{upstream=\"hub\",url=\"" + acceleratorUrl + "\"} 0")
                .contains("fleetmirror_upstream_url_up{upstream=\"hub\",url=\"" + origin.baseUri() + "\"} 1")
                .contains("fleetmirror_upstream_url_failures_total{reason=\"unreachable\",upstream=\"hub\",url=\""
                        + acceleratorUrl + "\"} 1");
        JsonNode status = new RegistryHttpClient(mirror).call("GET", "/ui/status.json").send().json();
        JsonNode statusUrls = status.path("upstreams").get(0).path("urls");
        assertThat(statusUrls.get(0).path("url").asText()).isEqualTo(acceleratorUrl.toString());
        assertThat(statusUrls.get(0).path("healthy").asBoolean()).isFalse();
        assertThat(statusUrls.get(1).path("healthy").asBoolean()).isTrue();
    }

    @Test
    void anAcceleratorServingAnotherManifestForTheTagIsSkippedAndTheOriginsIsServed() throws Exception {
        TestImage image = onBoth(82);
        // The accelerator answers the tag with the digest of the image but the bytes of another manifest.
        TestImage other = TestImage.random(83, 1_000);
        Files.write(blobData(accelerator.storageRoot(), image.digest()), other.manifest());
        URI mirror = mirror();

        Map<Digest, byte[]> pulled = pull(mirror, REPO, "v1");

        assertThat(pulled.get(image.digest())).isEqualTo(image.manifest());
        for (Digest blob : image.blobDigests()) {
            assertThat(pulled.get(blob)).isEqualTo(image.blob(blob));
        }
        assertThat(requests(accelerator, "GET", "/v2/" + REPO + "/manifests/v1")).as("asked once, then skipped").isEqualTo(1);
        assertThat(requests(origin, "GET", "/v2/" + REPO + "/manifests/v1")).isEqualTo(1);
        for (Digest blob : image.blobDigests()) {
            assertThat(MirrorFixture.blobGets(accelerator, REPO, blob)).as("the skipped URL is not asked").isZero();
        }
        RegistryHttpClient.Response byDigest = new RegistryHttpClient(mirror)
                .call("GET", "/v2/" + REPO + "/manifests/" + image.digest()).header("Accept", MediaTypes.OCI_MANIFEST).send();
        assertThat(byDigest.body()).as("what the mirror keeps is the origin's manifest").isEqualTo(image.manifest());
        JsonNode urls = clusterUrls(mirror);
        assertThat(urls.get(0).path("healthy").asBoolean()).isFalse();
        assertThat(urls.get(0).path("lastFailure").asText()).startsWith("corrupt: ").contains(image.digest().toString());
        assertThat(urls.get(1).path("healthy").asBoolean()).isTrue();
        assertThat(new RegistryHttpClient(mirror).call("GET", "/metrics").send().text())
                .contains("fleetmirror_upstream_url_failures_total{reason=\"corrupt\",upstream=\"hub\",url=\""
                        + accelerator.baseUri() + "\"} 1");
    }

    @Test
    void aBlobNotMatchingItsDigestOnTheAcceleratorIsFetchedFromTheOriginNext() throws Exception {
        TestImage image = onBoth(84);
        Digest layer = Digest.sha256(image.layers().get(0));
        byte[] poisoned = image.layers().get(0).clone();
        poisoned[0] ^= 1;
        Files.write(blobData(accelerator.storageRoot(), layer), poisoned);
        URI mirror = mirror();
        RegistryHttpClient client = new RegistryHttpClient(mirror);

        // The fill that read the poisoned bytes fails its clients (they were streamed as they came); the next asks the origin.
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
            try {
                RegistryHttpClient.Response blob = client.call("GET", "/v2/" + REPO + "/blobs/" + layer).send();
                return blob.status() == 200 && Digest.sha256(blob.body()).equals(layer);
            } catch (RuntimeException truncated) {
                return false;
            }
        });

        assertThat(MirrorFixture.blobGets(accelerator, REPO, layer)).isEqualTo(1);
        assertThat(MirrorFixture.blobGets(origin, REPO, layer)).isEqualTo(1);
        // Stored once verified, after the client had it.
        await().atMost(Duration.ofSeconds(30)).until(() -> MirrorFixture.cached(work.resolve("mirror-storage"), layer));
        assertThat(Files.readAllBytes(blobData(work.resolve("mirror-storage"), layer))).isEqualTo(image.layers().get(0));
        JsonNode urls = clusterUrls(mirror);
        assertThat(urls.get(0).path("healthy").asBoolean()).isFalse();
        assertThat(urls.get(0).path("lastFailure").asText()).startsWith("corrupt: ").contains(layer.toString());
        Map<Digest, byte[]> pulled = pull(mirror, REPO, "v1");
        assertThat(pulled.get(image.digest())).isEqualTo(image.manifest());
    }

    /** This member's upstream URLs as {@code /admin/v1/cluster} reports them. */
    private static JsonNode clusterUrls(URI mirror) {
        RegistryHttpClient.Response cluster = new RegistryHttpClient(mirror).call("GET", "/admin/v1/cluster").send();
        assertThat(cluster.status()).as(cluster.toString()).isEqualTo(200);
        JsonNode urls = cluster.json().path("upstreams").path("urls");
        assertThat(urls.size()).isEqualTo(2);
        assertThat(urls.get(0).path("upstream").asText()).isEqualTo("hub");
        return urls;
    }
}
