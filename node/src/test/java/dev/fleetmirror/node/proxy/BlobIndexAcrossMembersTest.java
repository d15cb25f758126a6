package dev.fleetmirror.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.node.FleetMirrorNode;
import dev.fleetmirror.node.config.GcConfig;
import dev.fleetmirror.node.config.HttpConfig;
import dev.fleetmirror.node.config.LocalCacheConfig;
import dev.fleetmirror.node.config.NodeConfig;
import dev.fleetmirror.node.config.ProxyConfig;
import dev.fleetmirror.node.config.StorageBackend;
import dev.fleetmirror.node.config.StorageConfig;
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
 * Three members on one S3 bucket (S3Proxy), each with the cluster's blob index and its own local
 * tier: whatever one member does to a repository's blobs, every member answers accordingly on its
 * very next request, although each has just answered the opposite from what it remembered (and
 * still holds a local copy of the bytes). No waiting between the change and the reads.
 */
class BlobIndexAcrossMembersTest {
    @RegisterExtension
    static final S3ProxyExtension S3 = new S3ProxyExtension("blob-index");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path work;

    private final List<FleetMirrorNode> nodes = new ArrayList<>();
    private final List<RegistryHttpClient> clients = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (FleetMirrorNode node : nodes) {
            MirrorFixture.stop(node);
        }
    }

    private void startMembers(String root) throws Exception {
        LoopbackNodes.start(3, "blob-index-secret", Duration.ofSeconds(5), i -> NodeConfig.defaults()
                .withHttp(HttpConfig.loopback(0))
                .withStorage(StorageConfig.of(new StorageBackend.S3(S3.config().withRootDirectory(root)))
                        .withLocalCache(Optional.of(new LocalCacheConfig(work.resolve("tier-" + i), 100_000_000))))
                .withProxy(ProxyConfig.none().withSpoolDirectory(work.resolve("spool-" + i)))
                .withGc(new GcConfig(Optional.empty(), false, Duration.ZERO, GcConfig.DEFAULT_MAX_HOLD, Duration.ZERO)), nodes);
        nodes.forEach(node -> clients.add(new RegistryHttpClient(MirrorFixture.uri(node))));
    }

    private void everyMemberAnswers(String repo, Digest blob, int status, String why) {
        for (int i = 0; i < clients.size(); i++) {
            assertThat(clients.get(i).call("HEAD", "/v2/" + repo + "/blobs/" + blob).send().status())
                    .as("HEAD on member %d %s", i, why).isEqualTo(status);
            assertThat(clients.get(i).call("GET", "/v2/" + repo + "/blobs/" + blob).send().status())
                    .as("GET on member %d %s", i, why).isEqualTo(status);
        }
    }

    @Test
    void pushesMountsAndDeletesThroughOneMemberAreSeenByEveryMemberOnTheNextRequest() throws Exception {
        startMembers("writes");
        TestImage image = TestImage.random(7301, 200_000, 3_000);
        Digest layer = image.blobDigests().get(1);

        everyMemberAnswers("team/app", layer, 404, "before the push (remembered as absent)");
        image.push(MirrorFixture.uri(nodes.get(0)), "team/app", "v1");
        everyMemberAnswers("team/app", layer, 200, "right after the push through member 0");
        for (int i = 0; i < nodes.size(); i++) {
            assertThat(clients.get(i).call("GET", "/v2/team/app/blobs/" + layer).send().body()).isEqualTo(image.blob(layer));
            Path copy = work.resolve("tier-" + i + "/sha256").resolve(layer.hex());
            await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(copy));
        }

        everyMemberAnswers("team/other", layer, 404, "before the mount");
        RegistryHttpClient.Response mount = clients.get(1).call("POST",
                "/v2/team/other/blobs/uploads/?mount=" + layer + "&from=team/app").send();
        assertThat(mount.status()).isEqualTo(201);
        everyMemberAnswers("team/other", layer, 200, "right after the mount through member 1");

        assertThat(clients.get(2).call("DELETE", "/v2/team/other/blobs/" + layer).send().status()).isEqualTo(202);
        everyMemberAnswers("team/other", layer, 404, "right after the unlink through member 2");
        everyMemberAnswers("team/app", layer, 200, "in the repository it is still linked in");
    }

    @Test
    void aGcSweepThroughOneMemberIsSeenByEveryMemberOnTheNextRequest() throws Exception {
        startMembers("gc");
        TestImage kept = TestImage.random(7302, 150_000);
        TestImage dropped = TestImage.random(7303, 160_000, 2_000);
        kept.push(MirrorFixture.uri(nodes.get(0)), "team/gc", "kept");
        dropped.push(MirrorFixture.uri(nodes.get(0)), "team/gc", "dropped");
        Digest layer = dropped.blobDigests().get(1);
        everyMemberAnswers("team/gc", layer, 200, "before the GC (remembered as linked)");
        for (int i = 0; i < nodes.size(); i++) {
            Path copy = work.resolve("tier-" + i + "/sha256").resolve(layer.hex());
            await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(copy));
        }
        assertThat(clients.get(1).call("DELETE", "/v2/team/gc/manifests/" + dropped.digest()).send().status())
                .isEqualTo(202);
        // Deleting the manifest leaves the layer linked: only the sweep unlinks and deletes it.
        everyMemberAnswers("team/gc", layer, 200, "after the manifest delete, before the GC");

        HttpResponse<String> run = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        MirrorFixture.uri(nodes.get(2)).resolve("/admin/v1/gc")).POST(HttpRequest.BodyPublishers.noBody())
                .header("X-Fleetmirror-Cluster-Secret", "blob-index-secret")
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(run.statusCode()).as(run.body()).isEqualTo(200);
        JsonNode report = JSON.readTree(run.body());
        assertThat(report.path("blobsDeleted").asLong()).as(run.body()).isGreaterThanOrEqualTo(2);

        everyMemberAnswers("team/gc", layer, 404, "right after the GC run through member 2");
        for (Digest blob : kept.blobDigests()) {
            everyMemberAnswers("team/gc", blob, 200, "for what the GC kept");
        }
    }
}
