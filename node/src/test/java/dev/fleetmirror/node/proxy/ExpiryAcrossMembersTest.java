package dev.fleetmirror.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.manifest.MediaTypes;
import dev.fleetmirror.node.FleetMirrorNode;
import dev.fleetmirror.node.config.GcConfig;
import dev.fleetmirror.node.config.HttpConfig;
import dev.fleetmirror.node.config.LocalCacheConfig;
import dev.fleetmirror.node.config.NodeConfig;
import dev.fleetmirror.node.config.ProxyConfig;
import dev.fleetmirror.node.config.StorageBackend;
import dev.fleetmirror.node.config.StorageConfig;
import dev.fleetmirror.node.testing.DistributionProcess;
import dev.fleetmirror.node.testing.FillsInFlight;
import dev.fleetmirror.node.testing.RegistryHttpClient;
import dev.fleetmirror.storage.s3.testing.S3ProxyExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three members on one S3 bucket (S3Proxy), each with its local tier, mirror an image that its
 * upstream (Debian's docker-registry) has since deleted, so that only their cache can answer for
 * it. A GC run through one member whose expiry ({@code proxy.ttl}) unlinks the image, and whose
 * sweep then deletes its blobs, is seen by every member on its very next request: the manifest (by
 * tag and by digest) and every blob are 404, although each member has just served them from what
 * its indexes remembered and still holds copies of the blobs on disk.
 */
class ExpiryAcrossMembersTest {
    @RegisterExtension
    static final S3ProxyExtension S3 = new S3ProxyExtension("expiry-members");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SECRET = "expiry-members-secret";
    private static final String REPO = "team/app";

    @TempDir
    Path work;

    private final List<FleetMirrorNode> nodes = new ArrayList<>();
    private final List<RegistryHttpClient> clients = new ArrayList<>();
    private DistributionProcess upstream;

    @AfterEach
    void stop() throws Exception {
        for (FleetMirrorNode node : nodes) {
            MirrorFixture.stop(node);
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    @Test
    void expiryThroughOneMemberIsSeenByEveryMemberOnTheNextRequest() throws Exception {
        assumeTrue(DistributionProcess.available(), DistributionProcess.absentReason());
        upstream = MirrorFixture.upstream(work, "upstream", "");
        TestImage image = TestImage.random(7401, 180_000, 3_000);
        image.push(upstream.baseUri(), REPO, "v1");
        LoopbackNodes.start(3, SECRET, Duration.ofSeconds(5), i -> NodeConfig.defaults()
                .withHttp(HttpConfig.loopback(0))
                .withStorage(StorageConfig.of(new StorageBackend.S3(S3.config().withRootDirectory("expiry")))
                        .withLocalCache(Optional.of(new LocalCacheConfig(work.resolve("tier-" + i), 100_000_000))))
                .withProxy(ProxyConfig.none().withSpoolDirectory(work.resolve("spool-" + i))
                        .withUpstreams(List.of(MirrorFixture.catchAll(upstream.baseUri())))
                        .withTagTtl(Duration.ofMinutes(5)).withTtl(Duration.ofSeconds(1)))
                .withGc(new GcConfig(Optional.empty(), false, Duration.ZERO)), nodes);
        nodes.forEach(node -> clients.add(new RegistryHttpClient(MirrorFixture.uri(node))));

        MirrorFixture.pull(MirrorFixture.uri(nodes.get(0)), REPO, "v1");
        // Fills store what they fetched after the client has it.
        FillsInFlight.awaitNone(MirrorFixture.uri(nodes.get(0)));
        deleteFromUpstream(image);
        everyMemberAnswers(image, 200, "from the cache, the upstream having deleted the image");
        Digest layer = image.blobDigests().get(1);
        for (int i = 0; i < nodes.size(); i++) {
            Path copy = work.resolve("tier-" + i + "/sha256").resolve(layer.hex());
            await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(copy));
        }

        // Expiry counts from the last pull: run until a run found the image older than the TTL.
        List<JsonNode> reports = new ArrayList<>();
        await("a run that expired the image").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    reports.add(runGc(nodes.get(2)));
                    return reports.get(reports.size() - 1).path("expiryManifestsUnlinked").asInt() > 0;
                });
        JsonNode expired = reports.get(reports.size() - 1);
        assertThat(expired.path("outcome").asText()).as(expired.toString()).isEqualTo("completed");
        assertThat(expired.path("blobsDeleted").asLong()).as("the image's manifest and blobs: %s", expired)
                .isEqualTo(1 + image.blobDigests().size());

        everyMemberAnswers(image, 404, "right after the run through member 2 expired the image");
    }

    private void everyMemberAnswers(TestImage image, int status, String why) {
        for (int i = 0; i < clients.size(); i++) {
            RegistryHttpClient client = clients.get(i);
            for (String reference : List.of("v1", image.digest().toString())) {
                for (String method : List.of("HEAD", "GET")) {
                    RegistryHttpClient.Response manifest = client.call(method, "/v2/" + REPO + "/manifests/" + reference)
                            .header("Accept", MediaTypes.OCI_MANIFEST).send();
                    assertThat(manifest.status()).as("%s manifest %s on member %d %s: %s", method, reference, i, why,
                            manifest).isEqualTo(status);
                }
            }
            for (Digest blob : image.blobDigests()) {
                for (String method : List.of("HEAD", "GET")) {
                    RegistryHttpClient.Response answer = client.call(method, "/v2/" + REPO + "/blobs/" + blob).send();
                    assertThat(answer.status()).as("%s blob %s on member %d %s: %s", method, blob, i, why, answer)
                            .isEqualTo(status);
                    if (status == 200 && method.equals("GET")) {
                        assertThat(answer.body()).isEqualTo(image.blob(blob));
                    }
                }
            }
        }
    }

    /** The upstream forgets the image, so only the members' cache can answer for it. */
    private void deleteFromUpstream(TestImage image) {
        RegistryHttpClient registry = new RegistryHttpClient(upstream.baseUri());
        assertThat(registry.call("DELETE", "/v2/" + REPO + "/manifests/" + image.digest()).send().status()).isEqualTo(202);
        for (Digest blob : image.blobDigests()) {
            assertThat(registry.call("DELETE", "/v2/" + REPO + "/blobs/" + blob).send().status()).isEqualTo(202);
            assertThat(registry.call("HEAD", "/v2/" + REPO + "/blobs/" + blob).send().status()).isEqualTo(404);
        }
    }

    private static JsonNode runGc(FleetMirrorNode node) throws Exception {
        HttpResponse<String> run = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        MirrorFixture.uri(node).resolve("/admin/v1/gc")).POST(HttpRequest.BodyPublishers.noBody())
                .header("X-Fleetmirror-Cluster-Secret", SECRET).timeout(Duration.ofMinutes(2))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(run.statusCode()).as(run.body()).isEqualTo(200);
        return JSON.readTree(run.body());
    }
}
