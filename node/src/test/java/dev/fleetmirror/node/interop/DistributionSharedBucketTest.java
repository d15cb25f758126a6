package dev.fleetmirror.node.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.node.FleetMirrorNode;
import dev.fleetmirror.node.config.HttpConfig;
import dev.fleetmirror.node.config.NodeConfig;
import dev.fleetmirror.node.config.StorageBackend;
import dev.fleetmirror.node.config.StorageConfig;
import dev.fleetmirror.node.testing.DistributionProcess;
import dev.fleetmirror.storage.s3.testing.S3ProxyExtension;
import dev.fleetmirror.storage.s3.testing.S3ProxyProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fleet Mirror and CNCF Distribution (Debian's docker-registry 2.8.2) on one bucket: Distribution's
 * S3 driver serves an image Fleet Mirror stored, and Fleet Mirror serves an image Distribution
 * stored. Distribution 2.8.2's S3 writer crashes on S3Proxy's multipart listing, so its writes go
 * through its filesystem driver into the directory S3Proxy serves the bucket from, which is the
 * same bucket content seen from the other side.
 */
class DistributionSharedBucketTest {
    private static final Path SKOPEO = Path.of("/usr/bin/skopeo");
    private static final String BUCKET = "shared-layout";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @RegisterExtension
    static final S3ProxyExtension S3 = new S3ProxyExtension(BUCKET);

    @TempDir
    Path workDir;

    @Test
    void distributionServesWhatFleetMirrorStoredAndFleetMirrorServesWhatDistributionStored() throws Exception {
        assumeTrue(DistributionProcess.available() && Files.isExecutable(SKOPEO),
                "needs /usr/bin/docker-registry and /usr/bin/skopeo (Debian packages; .ci/run installs them)");
        byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}"
                .getBytes(StandardCharsets.UTF_8);
        byte[] layer = new byte[6 * 1024 * 1024 + 17];
        new Random(11).nextBytes(layer);
        Digest configDigest = Digest.sha256(config);
        Digest layerDigest = Digest.sha256(layer);
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + configDigest
                + "\",\"size\":" + config.length + "},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\","
                + "\"digest\":\"" + layerDigest + "\",\"size\":" + layer.length + "}]}").getBytes(StandardCharsets.UTF_8);

        // 1. Fleet Mirror stores an image under rootdirectory /ours.
        FleetMirrorNode ours = startNode("/ours");
        try {
            URI node = URI.create("http://127.0.0.1:" + ours.port());
            pushBlob(node, "team/app", config);
            pushBlob(node, "team/app", layer);
            assertThat(send(HttpRequest.newBuilder(node.resolve("/v2/team/app/manifests/v1"))
                    .header("Content-Type", "application/vnd.oci.image.manifest.v1+json")
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(manifest))).statusCode()).isEqualTo(201);
        } finally {
            ours.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }

        // 2. Distribution's S3 driver reads it from the bucket; skopeo verifies every digest it copies.
        Path copied = workDir.resolve("oci");
        Path bucket = S3.process().dataDirectory().resolve(BUCKET);
        try (DistributionProcess distribution = DistributionProcess.startWithDriver(workDir.resolve("distribution-s3"),
                bucket.resolve("ours"), """
                s3:
                  accesskey: %s
                  secretkey: %s
                  region: us-east-1
                  regionendpoint: %s
                  bucket: %s
                  rootdirectory: /ours
                  secure: false
                """.formatted(S3ProxyProcess.ACCESS_KEY, S3ProxyProcess.SECRET_KEY, S3.process().endpoint(), BUCKET))) {
            HttpResponse<byte[]> served = send(HttpRequest.newBuilder(distribution.baseUri().resolve("/v2/team/app/manifests/v1"))
                    .header("Accept", "application/vnd.oci.image.manifest.v1+json"));
            assertThat(served.statusCode()).isEqualTo(200);
            assertThat(served.body()).isEqualTo(manifest);
            skopeo("copy", "--src-tls-verify=false", "docker://" + distribution.hostAndPort() + "/team/app:v1",
                    "oci:" + copied + ":v1");
        }

        // 3. Distribution stores the copy with its own code, into the directory S3Proxy serves
        //    (rootdirectory /theirs). skopeo compresses the layer on the way, so digests are new.
        Path theirs = bucket.resolve("theirs");
        byte[] theirManifest;
        try (DistributionProcess distribution = DistributionProcess.start(workDir.resolve("distribution-fs"), theirs)) {
            skopeo("copy", "--dest-tls-verify=false", "oci:" + copied + ":v1",
                    "docker://" + distribution.hostAndPort() + "/other/app:v2");
            theirManifest = send(HttpRequest.newBuilder(distribution.baseUri().resolve("/v2/other/app/manifests/v2"))
                    .header("Accept", "application/vnd.oci.image.manifest.v1+json")).body();
        }
        JsonNode parsed = new ObjectMapper().readTree(theirManifest);
        List<Digest> theirBlobs = new ArrayList<>(List.of(Digest.parse(parsed.path("config").path("digest").asText())));
        parsed.path("layers").forEach(l -> theirBlobs.add(Digest.parse(l.path("digest").asText())));
        Digest theirLayer = theirBlobs.get(1);
        assertThat(theirs.resolve("docker/registry/v2/blobs/sha256/" + theirLayer.hex().substring(0, 2) + "/"
                + theirLayer.hex() + "/data")).as("Distribution wrote its own layout").exists();

        // 4. Fleet Mirror serves Distribution's image from the bucket.
        FleetMirrorNode reader = startNode("/theirs");
        try {
            URI node = URI.create("http://127.0.0.1:" + reader.port());
            HttpResponse<byte[]> served = send(HttpRequest.newBuilder(node.resolve("/v2/other/app/manifests/v2"))
                    .header("Accept", "application/vnd.oci.image.manifest.v1+json"));
            assertThat(served.statusCode()).isEqualTo(200);
            assertThat(served.body()).isEqualTo(theirManifest);
            for (Digest blob : theirBlobs) {
                byte[] content = send(HttpRequest.newBuilder(node.resolve("/v2/other/app/blobs/" + blob))).body();
                assertThat(Digest.sha256(content)).isEqualTo(blob);
            }
            skopeo("copy", "--src-tls-verify=false", "docker://127.0.0.1:" + reader.port() + "/other/app:v2",
                    "oci:" + workDir.resolve("oci-back") + ":v2");
        } finally {
            reader.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    private static FleetMirrorNode startNode(String rootDirectory) throws Exception {
        NodeConfig config = NodeConfig.defaults()
                .withHttp(HttpConfig.loopback(0))
                .withStorage(StorageConfig.of(new StorageBackend.S3(S3.config().withRootDirectory(rootDirectory))));
        return FleetMirrorNode.start(config).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private static void pushBlob(URI node, String repo, byte[] content) {
        HttpResponse<byte[]> response = send(HttpRequest.newBuilder(
                node.resolve("/v2/" + repo + "/blobs/uploads/?digest=" + Digest.sha256(content)))
                .POST(HttpRequest.BodyPublishers.ofByteArray(content)));
        assertThat(response.statusCode()).as(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo(201);
    }

    private static HttpResponse<byte[]> send(HttpRequest.Builder request) {
        try {
            return HTTP.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void skopeo(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(SKOPEO.toString(), "--insecure-policy"));
        command.addAll(List.of(args));
        Path log = Files.createTempFile(workDir, "skopeo", ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        assertThat(process.exitValue()).as(String.join(" ", command) + "\n" + Files.readString(log)).isZero();
    }
}
