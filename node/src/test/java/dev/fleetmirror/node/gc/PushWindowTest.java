package dev.fleetmirror.node.gc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.manifest.MediaTypes;
import dev.fleetmirror.node.config.GcConfig;
import dev.fleetmirror.node.config.StorageBackend;
import dev.fleetmirror.node.testing.RegistryHttpClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gc.pushwindow}: at {@code gc.grace} 0, with runs back to back, a blob a push was told of
 * (uploaded, or found by a HEAD although no manifest references it) is kept until the push's
 * manifest comes, and a blob nobody asked about goes in the first run. Without the window, the
 * manifest of a push that outlasts two runs fails: the case the window is for.
 */
class PushWindowTest {
    private static final String REPO = "team/app";

    @TempDir
    Path root;
    private GcCluster cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private RegistryHttpClient start(Duration pushWindow) throws Exception {
        cluster = GcCluster.start(1, new StorageBackend.Filesystem(root),
                new GcConfig(Optional.empty(), false, Duration.ZERO, GcConfig.DEFAULT_MAX_HOLD, pushWindow));
        return new RegistryHttpClient(GcCluster.uri(cluster.nodes.get(0)));
    }

    @Test
    void blobsAPushWasToldOfOutliveBackToBackRunsAndItsManifestFindsThem() throws Exception {
        RegistryHttpClient client = start(Duration.ofHours(1));
        byte[] layer = random(1, 5_000);
        byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
        upload(client, layer);
        upload(client, config);
        // Unreferenced for days (a deleted manifest's layer): a push's HEAD finds it, one nobody asks about goes.
        byte[] found = random(2, 3_000);
        byte[] unasked = random(3, 3_000);
        writeOldLinkedBlob(found);
        writeOldLinkedBlob(unasked);
        assertThat(head(client, found)).as("the client hears it exists and does not upload it").isEqualTo(200);

        List<JsonNode> runs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            runs.add(cluster.collect(cluster.nodes.get(0)));
        }
        assertThat(runs.get(0).path("blobsDeleted").asLong()).as("the blob nobody was told of").isEqualTo(1);
        assertThat(head(client, unasked)).isEqualTo(404);
        for (JsonNode run : runs) {
            assertThat(run.path("blobsKeptForPushes").asLong()).as("uploaded layer and config, and the one found")
                    .isEqualTo(3);
        }

        RegistryHttpClient.Response put = putManifest(client, config, layer, found);
        assertThat(put.status()).as(put.text()).isEqualTo(201);
        for (byte[] blob : List.of(layer, config, found)) {
            RegistryHttpClient.Response pulled = client.call("GET", "/v2/" + REPO + "/blobs/" + Digest.sha256(blob)).send();
            assertThat(pulled.status()).isEqualTo(200);
            assertThat(pulled.body()).isEqualTo(blob);
        }
        assertThat(cluster.collect(cluster.nodes.get(0)).path("blobsDeleted").asLong())
                .as("a run once the manifest references them").isZero();
    }

    @Test
    void withoutThePushWindowAPushOutlastingTheRunsLosesItsBlobs() throws Exception {
        RegistryHttpClient client = start(Duration.ZERO);
        byte[] layer = random(4, 5_000);
        byte[] config = "{\"architecture\":\"arm64\",\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
        upload(client, layer);
        upload(client, config);
        long deleted = 0;
        for (int i = 0; i < 3; i++) {
            deleted += cluster.collect(cluster.nodes.get(0)).path("blobsDeleted").asLong();
        }
        assertThat(deleted).as("both uploads, unreferenced and not recent any more").isEqualTo(2);
        RegistryHttpClient.Response put = putManifest(client, config, layer);
        assertThat(put.status()).isEqualTo(400);
        assertThat(put.text()).contains("MANIFEST_BLOB_UNKNOWN");
    }

    private static byte[] random(long seed, int size) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static int head(RegistryHttpClient client, byte[] blob) {
        return client.call("HEAD", "/v2/" + REPO + "/blobs/" + Digest.sha256(blob)).send().status();
    }

    private static void upload(RegistryHttpClient client, byte[] blob) {
        RegistryHttpClient.Response started = client.call("POST", "/v2/" + REPO + "/blobs/uploads/").send();
        assertThat(started.status()).isEqualTo(202);
        RegistryHttpClient.Response done = client.call("PUT", started.location()).query("digest", Digest.sha256(blob).toString())
                .header("Content-Type", "application/octet-stream").body(blob).send();
        assertThat(done.status()).as(done.text()).isEqualTo(201);
    }

    /** Data and a layer link of {@link #REPO}, in Distribution's layout, two days old. */
    private void writeOldLinkedBlob(byte[] blob) throws IOException {
        String hex = Digest.sha256(blob).hex();
        Path v2 = root.resolve("docker/registry/v2");
        Path data = v2.resolve("blobs/sha256").resolve(hex.substring(0, 2)).resolve(hex).resolve("data");
        Path link = v2.resolve("repositories").resolve(REPO).resolve("_layers/sha256").resolve(hex).resolve("link");
        Files.createDirectories(data.getParent());
        Files.write(data, blob);
        Files.createDirectories(link.getParent());
        Files.writeString(link, "sha256:" + hex);
        FileTime old = FileTime.from(Instant.now().minus(Duration.ofDays(2)));
        Files.setLastModifiedTime(data, old);
        Files.setLastModifiedTime(link, old);
    }

    private static RegistryHttpClient.Response putManifest(RegistryHttpClient client, byte[] config, byte[]... layers) {
        StringBuilder json = new StringBuilder();
        for (byte[] layer : layers) {
            json.append(json.length() == 0 ? "" : ",").append("{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",")
                    .append("\"digest\":\"").append(Digest.sha256(layer)).append("\",\"size\":").append(layer.length).append('}');
        }
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":{\"mediaType\":\""
                + MediaTypes.OCI_CONFIG + "\",\"digest\":\"" + Digest.sha256(config) + "\",\"size\":" + config.length
                + "},\"layers\":[" + json + "]}").getBytes(StandardCharsets.UTF_8);
        return client.call("PUT", "/v2/" + REPO + "/manifests/latest").header("Content-Type", MediaTypes.OCI_MANIFEST)
                .body(manifest).send();
    }
}
