package dev.fleetmirror.node.distribution;

import static dev.fleetmirror.node.distribution.RegistryClient.errorCode;
import static dev.fleetmirror.node.distribution.RegistryClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.manifest.MediaTypes;
import dev.fleetmirror.node.FleetMirrorNode;
import dev.fleetmirror.node.config.HttpConfig;
import dev.fleetmirror.node.config.NodeConfig;
import dev.fleetmirror.node.config.StorageBackend;
import dev.fleetmirror.node.config.StorageConfig;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OCI distribution API of a hosted registry, over real HTTP against an in-process node. Each
 * storage backend runs the same contract: a subclass only says which storage the node uses.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class HostedRegistryContract {
    private static final AtomicInteger REPOS = new AtomicInteger();

    @TempDir
    static Path workDir;

    private FleetMirrorNode node;
    private RegistryClient client;

    /**
     * The storage every node of this test class uses; called once per node started, the first time
     * from this class's {@code @BeforeAll} (which runs before a subclass's), so a backend that needs
     * a server (S3Proxy) starts it here on first use and stops it in the subclass's {@code @AfterAll}.
     */
    protected abstract StorageBackend storageBackend(Path workDir);

    @BeforeAll
    void startNode() throws Exception {
        node = start(storage -> storage);
        client = new RegistryClient(node.port());
    }

    @AfterAll
    void stopNode() throws Exception {
        if (node != null) {
            node.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    /** A node on this class's storage, with the storage switches {@code adjust} returns. */
    protected FleetMirrorNode start(Function<StorageConfig, StorageConfig> adjust) throws Exception {
        NodeConfig config = NodeConfig.defaults()
                .withHttp(HttpConfig.loopback(0))
                .withStorage(adjust.apply(StorageConfig.of(storageBackend(workDir))));
        return FleetMirrorNode.start(config).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private static String newRepo() {
        return "contract/repo-" + REPOS.incrementAndGet();
    }

    private record Image(Digest config, Digest layer, byte[] manifest, Digest digest) {
    }

    private Image pushImage(String repo, String tag, long seed) {
        byte[] config = TestImages.config("seed" + seed);
        byte[] layer = TestImages.randomBytes(3000, seed);
        Digest configDigest = client.pushBlob(repo, config);
        Digest layerDigest = client.pushBlob(repo, layer);
        byte[] manifest = TestImages.imageManifest(configDigest, config.length, layerDigest, layer.length);
        Digest digest = client.pushManifest(repo, tag, MediaTypes.OCI_MANIFEST, manifest);
        return new Image(configDigest, layerDigest, manifest, digest);
    }

    // ---- base, routing, errors ----

    @Test
    void baseEndpointAnswersEmptyJsonWithApiVersion() {
        HttpResponse<byte[]> response = client.get("/v2/");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo("{}");
        assertThat(response.headers().firstValue("Docker-Distribution-API-Version")).hasValue("registry/2.0");
    }

    @Test
    void unknownPathIs404WithErrorBodyAndApiVersion() {
        HttpResponse<byte[]> response = client.get("/v2/some/repo/nonsense/x");
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(json(response).path("errors").path(0).path("message").asText()).contains("/v2/some/repo/nonsense/x");
        assertThat(response.headers().firstValue("Docker-Distribution-API-Version")).hasValue("registry/2.0");
    }

    @Test
    void wrongMethodIs405Unsupported() {
        HttpResponse<byte[]> response = client.post("/v2/some/repo/tags/list", new byte[0]);
        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(errorCode(response)).isEqualTo("UNSUPPORTED");
        assertThat(response.headers().firstValue("Allow")).hasValue("GET");
    }

    @Test
    void invalidRepositoryNameIs400NameInvalid() {
        for (String path : List.of("/v2/Upper/Case/tags/list", "/v2/a..b/manifests/latest", "/v2/-x/blobs/uploads/")) {
            HttpResponse<byte[]> response = path.endsWith("/") ? client.post(path, new byte[0]) : client.get(path);
            assertThat(response.statusCode()).as(path).isEqualTo(400);
            assertThat(errorCode(response)).as(path).isEqualTo("NAME_INVALID");
        }
    }

    @Test
    void malformedDigestsAre400DigestInvalid() {
        String repo = newRepo();
        for (HttpResponse<byte[]> response : List.of(
                client.get("/v2/" + repo + "/blobs/sha256:abc"),
                client.get("/v2/" + repo + "/blobs/md5:" + "a".repeat(32)),
                client.get("/v2/" + repo + "/manifests/sha256:XYZ"),
                client.get("/v2/" + repo + "/referrers/sha256:123"),
                client.post("/v2/" + repo + "/blobs/uploads/?digest=sha256:zz", new byte[] {1}),
                client.post("/v2/" + repo + "/blobs/uploads/?mount=nope&from=other", new byte[0]))) {
            assertThat(response.statusCode()).as(response.uri().toString()).isEqualTo(400);
            assertThat(errorCode(response)).as(response.uri().toString()).isEqualTo("DIGEST_INVALID");
        }
    }

    @Test
    void malformedTagIsUnknownOnReadAndInvalidOnPut() {
        String repo = newRepo();
        HttpResponse<byte[]> get = client.get("/v2/" + repo + "/manifests/.hidden");
        assertThat(get.statusCode()).isEqualTo(404);
        assertThat(errorCode(get)).isEqualTo("MANIFEST_UNKNOWN");

        HttpResponse<byte[]> put = client.put("/v2/" + repo + "/manifests/.hidden",
                "{\"schemaVersion\":2}".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                "Content-Type", "application/vnd.oci.image.manifest.v1+json");
        assertThat(put.statusCode()).isEqualTo(400);
        assertThat(errorCode(put)).isEqualTo("TAG_INVALID");
    }

    // ---- blobs ----

    @Test
    void monolithicPostStoresBlobServedWithItsHeaders() {
        String repo = newRepo();
        byte[] content = TestImages.randomBytes(10_000, 1);
        Digest digest = Digest.sha256(content);
        HttpResponse<byte[]> put = client.post("/v2/" + repo + "/blobs/uploads/?digest=" + digest, content);
        assertThat(put.statusCode()).isEqualTo(201);
        assertThat(put.headers().firstValue("Location")).hasValue("/v2/" + repo + "/blobs/" + digest);
        assertThat(put.headers().firstValue("Docker-Content-Digest")).hasValue(digest.toString());

        HttpResponse<byte[]> head = client.head("/v2/" + repo + "/blobs/" + digest);
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.headers().firstValue("Content-Length")).hasValue("10000");
        assertThat(head.headers().firstValue("Docker-Content-Digest")).hasValue(digest.toString());
        assertThat(head.headers().firstValue("Accept-Ranges")).hasValue("bytes");

        HttpResponse<byte[]> get = client.get("/v2/" + repo + "/blobs/" + digest);
        assertThat(get.statusCode()).isEqualTo(200);
        assertThat(get.headers().firstValue("Content-Type")).hasValue("application/octet-stream");
        assertThat(get.body()).isEqualTo(content);
    }

    @Test
    void emptyBlobIsStoredAndServed() {
        String repo = newRepo();
        Digest digest = client.pushBlob(repo, new byte[0]);
        HttpResponse<byte[]> get = client.get("/v2/" + repo + "/blobs/" + digest);
        assertThat(get.statusCode()).isEqualTo(200);
        assertThat(get.headers().firstValue("Content-Length")).hasValue("0");
        assertThat(get.body()).isEmpty();
        assertThat(client.get("/v2/" + repo + "/blobs/" + digest, "Range", "bytes=0-").statusCode()).isEqualTo(416);
    }

    @Test
    void blobOfAnotherRepositoryIsUnknownHere() {
        Digest digest = client.pushBlob(newRepo(), TestImages.randomBytes(100, 2));
        HttpResponse<byte[]> response = client.get("/v2/" + newRepo() + "/blobs/" + digest);
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(errorCode(response)).isEqualTo("BLOB_UNKNOWN");
        assertThat(client.head("/v2/" + newRepo() + "/blobs/" + digest).statusCode()).isEqualTo(404);
    }

    @Test
    void rangeRequestsAnswer206WithContentRange() {
        String repo = newRepo();
        byte[] content = TestImages.randomBytes(1000, 3);
        Digest digest = client.pushBlob(repo, content);
        String path = "/v2/" + repo + "/blobs/" + digest;

        HttpResponse<byte[]> middle = client.get(path, "Range", "bytes=10-19");
        assertThat(middle.statusCode()).isEqualTo(206);
        assertThat(middle.headers().firstValue("Content-Range")).hasValue("bytes 10-19/1000");
        assertThat(middle.body()).isEqualTo(Arrays.copyOfRange(content, 10, 20));

        HttpResponse<byte[]> suffix = client.get(path, "Range", "bytes=-100");
        assertThat(suffix.statusCode()).isEqualTo(206);
        assertThat(suffix.headers().firstValue("Content-Range")).hasValue("bytes 900-999/1000");
        assertThat(suffix.body()).isEqualTo(Arrays.copyOfRange(content, 900, 1000));

        HttpResponse<byte[]> open = client.get(path, "Range", "bytes=990-");
        assertThat(open.statusCode()).isEqualTo(206);
        assertThat(open.body()).isEqualTo(Arrays.copyOfRange(content, 990, 1000));

        HttpResponse<byte[]> beyond = client.get(path, "Range", "bytes=1000-2000");
        assertThat(beyond.statusCode()).isEqualTo(416);
        assertThat(beyond.headers().firstValue("Content-Range")).hasValue("bytes */1000");
    }

    @Test
    void deletedBlobIsUnknownAfterwards() {
        String repo = newRepo();
        Digest digest = client.pushBlob(repo, TestImages.randomBytes(50, 4));
        assertThat(client.delete("/v2/" + repo + "/blobs/" + digest).statusCode()).isEqualTo(202);
        assertThat(client.head("/v2/" + repo + "/blobs/" + digest).statusCode()).isEqualTo(404);
    }

    // ---- uploads ----

    @Test
    void postStartsUploadWithLocationRangeAndUuid() {
        String repo = newRepo();
        HttpResponse<byte[]> response = client.post("/v2/" + repo + "/blobs/uploads/", new byte[0]);
        assertThat(response.statusCode()).isEqualTo(202);
        String uuid = response.headers().firstValue("Docker-Upload-UUID").orElseThrow();
        assertThat(response.headers().firstValue("Location")).hasValue("/v2/" + repo + "/blobs/uploads/" + uuid);
        assertThat(response.headers().firstValue("Range")).hasValue("0-0");
    }

    @Test
    void chunkedUploadInOrderCompletesToTheBlob() {
        String repo = newRepo();
        byte[] content = TestImages.randomBytes(300_000, 5);
        String location = client.startUpload(repo);
        HttpResponse<byte[]> first = client.patch(location, Arrays.copyOfRange(content, 0, 100_000),
                "Content-Range", "0-99999");
        assertThat(first.statusCode()).as(new String(first.body(), StandardCharsets.UTF_8)).isEqualTo(202);
        assertThat(first.headers().firstValue("Range")).hasValue("0-99999");
        HttpResponse<byte[]> second = client.patch(first.headers().firstValue("Location").orElseThrow(),
                Arrays.copyOfRange(content, 100_000, 250_000), "Content-Range", "100000-249999");
        assertThat(second.statusCode()).isEqualTo(202);
        assertThat(second.headers().firstValue("Range")).hasValue("0-249999");
        Digest digest = Digest.sha256(content);
        HttpResponse<byte[]> put = client.put(location + "?digest=" + digest, Arrays.copyOfRange(content, 250_000, 300_000));
        assertThat(put.statusCode()).isEqualTo(201);
        assertThat(put.headers().firstValue("Docker-Content-Digest")).hasValue(digest.toString());
        assertThat(client.get("/v2/" + repo + "/blobs/" + digest).body()).isEqualTo(content);
        assertThat(client.get(location).statusCode()).isEqualTo(404);
    }

    @Test
    void outOfOrderChunkIs416AndLeavesUploadUnchanged() {
        String repo = newRepo();
        String location = client.startUpload(repo);
        assertThat(client.patch(location, new byte[100], "Content-Range", "0-99").statusCode()).isEqualTo(202);

        HttpResponse<byte[]> gap = client.patch(location, new byte[50], "Content-Range", "150-199");
        assertThat(gap.statusCode()).isEqualTo(416);
        assertThat(gap.headers().firstValue("Range")).hasValue("0-99");
        HttpResponse<byte[]> overlap = client.patch(location, new byte[50], "Content-Range", "50-99");
        assertThat(overlap.statusCode()).isEqualTo(416);

        HttpResponse<byte[]> status = client.get(location);
        assertThat(status.statusCode()).isEqualTo(204);
        assertThat(status.headers().firstValue("Range")).hasValue("0-99");
    }

    @Test
    void contentRangeDisagreeingWithContentLengthIs400SizeInvalid() {
        String location = client.startUpload(newRepo());
        HttpResponse<byte[]> response = client.patch(location, new byte[10], "Content-Range", "0-19");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(errorCode(response)).isEqualTo("SIZE_INVALID");
        assertThat(client.get(location).headers().firstValue("Range")).hasValue("0-0");
    }

    @Test
    void uploadResumesFromTheOffsetItsStatusReports() {
        String repo = newRepo();
        byte[] content = TestImages.randomBytes(5000, 6);
        String location = client.startUpload(repo);
        client.patch(location, Arrays.copyOfRange(content, 0, 1234));

        HttpResponse<byte[]> status = client.get(location);
        assertThat(status.statusCode()).isEqualTo(204);
        assertThat(status.headers().firstValue("Location")).hasValue(location);
        String range = status.headers().firstValue("Range").orElseThrow();
        int offset = Integer.parseInt(range.substring(range.indexOf('-') + 1)) + 1;
        assertThat(offset).isEqualTo(1234);

        HttpResponse<byte[]> rest = client.patch(location, Arrays.copyOfRange(content, offset, content.length),
                "Content-Range", offset + "-" + (content.length - 1));
        assertThat(rest.statusCode()).isEqualTo(202);
        Digest digest = Digest.sha256(content);
        assertThat(client.put(location + "?digest=" + digest, new byte[0]).statusCode()).isEqualTo(201);
        assertThat(client.get("/v2/" + repo + "/blobs/" + digest).body()).isEqualTo(content);
    }

    @Test
    void digestMismatchOnPutStoresNothingAndEndsTheUpload() {
        String repo = newRepo();
        byte[] content = TestImages.randomBytes(2000, 7);
        Digest claimed = Digest.sha256("something else".getBytes(StandardCharsets.UTF_8));
        String location = client.startUpload(repo);
        HttpResponse<byte[]> put = client.put(location + "?digest=" + claimed, content);
        assertThat(put.statusCode()).isEqualTo(400);
        assertThat(errorCode(put)).isEqualTo("DIGEST_INVALID");
        assertThat(client.head("/v2/" + repo + "/blobs/" + claimed).statusCode()).isEqualTo(404);
        assertThat(client.head("/v2/" + repo + "/blobs/" + Digest.sha256(content)).statusCode()).isEqualTo(404);
        HttpResponse<byte[]> status = client.get(location);
        assertThat(status.statusCode()).isEqualTo(404);
        assertThat(errorCode(status)).isEqualTo("BLOB_UPLOAD_UNKNOWN");
    }

    @Test
    void putWithoutDigestIs400DigestInvalid() {
        String location = client.startUpload(newRepo());
        HttpResponse<byte[]> put = client.put(location, new byte[3]);
        assertThat(put.statusCode()).isEqualTo(400);
        assertThat(errorCode(put)).isEqualTo("DIGEST_INVALID");
    }

    @Test
    void unknownOrMalformedUploadIdIs404BlobUploadUnknown() {
        String repo = newRepo();
        for (String id : List.of("0b1c7a43-8f1f-4f5e-9c57-1d2f6b9f0a11", "not-a-uuid", "..")) {
            HttpResponse<byte[]> status = client.get("/v2/" + repo + "/blobs/uploads/" + id);
            assertThat(status.statusCode()).as(id).isEqualTo(404);
            assertThat(errorCode(status)).as(id).isEqualTo("BLOB_UPLOAD_UNKNOWN");
            assertThat(client.patch("/v2/" + repo + "/blobs/uploads/" + id, new byte[4]).statusCode()).as(id).isEqualTo(404);
        }
    }

    @Test
    void cancelledUploadIsGone() {
        String location = client.startUpload(newRepo());
        client.patch(location, new byte[10]);
        assertThat(client.delete(location).statusCode()).isEqualTo(204);
        assertThat(client.get(location).statusCode()).isEqualTo(404);
        assertThat(client.delete(location).statusCode()).isEqualTo(404);
    }

    @Test
    void mountFromAnotherRepositoryLinksTheBlob() {
        String source = newRepo();
        String target = newRepo();
        Digest digest = client.pushBlob(source, TestImages.randomBytes(700, 8));
        HttpResponse<byte[]> mount = client.post("/v2/" + target + "/blobs/uploads/?mount=" + digest + "&from=" + source, new byte[0]);
        assertThat(mount.statusCode()).isEqualTo(201);
        assertThat(mount.headers().firstValue("Location")).hasValue("/v2/" + target + "/blobs/" + digest);
        assertThat(mount.headers().firstValue("Docker-Content-Digest")).hasValue(digest.toString());
        assertThat(client.head("/v2/" + target + "/blobs/" + digest).statusCode()).isEqualTo(200);
    }

    @Test
    void mountWithoutFromLinksNothingAndStartsAnUpload() {
        // It would have to search repositories the caller may not read, and 201 would tell that the digest is stored.
        Digest digest = client.pushBlob(newRepo(), TestImages.randomBytes(700, 9));
        String target = newRepo();
        HttpResponse<byte[]> mount = client.post("/v2/" + target + "/blobs/uploads/?mount=" + digest, new byte[0]);
        assertThat(mount.statusCode()).isEqualTo(202);
        assertThat(mount.headers().firstValue("Location").orElseThrow()).startsWith("/v2/" + target + "/blobs/uploads/");
        assertThat(client.head("/v2/" + target + "/blobs/" + digest).statusCode()).isEqualTo(404);
    }

    @Test
    void mountOfUnknownBlobStartsAnUploadInstead() {
        String target = newRepo();
        Digest unknown = Digest.sha256("never pushed".getBytes(StandardCharsets.UTF_8));
        HttpResponse<byte[]> mount = client.post("/v2/" + target + "/blobs/uploads/?mount=" + unknown + "&from=" + newRepo(), new byte[0]);
        assertThat(mount.statusCode()).isEqualTo(202);
        assertThat(mount.headers().firstValue("Location").orElseThrow()).startsWith("/v2/" + target + "/blobs/uploads/");
        assertThat(client.head("/v2/" + target + "/blobs/" + unknown).statusCode()).isEqualTo(404);
    }

    @Test
    void clientLeavingMidChunkKeepsTheBytesThatArrivedAndTheUploadResumable() throws Exception {
        String repo = newRepo();
        String location = client.startUpload(repo);
        byte[] sent = TestImages.randomBytes(500, 21);
        try (java.net.Socket socket = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), node.port())) {
            java.io.OutputStream out = socket.getOutputStream();
            out.write(("PATCH " + location + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n"
                    + "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(sent);
            out.flush();
            // The scenario: a client that lingers mid-chunk, then drops the connection. The wait below is for state.
            Thread.sleep(200);
        }
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(client.get(location).headers().firstValue("Range")).contains("0-499"));
        byte[] rest = TestImages.randomBytes(300, 22);
        assertThat(client.patch(location, rest, "Content-Range", "500-799").statusCode()).isEqualTo(202);
        byte[] whole = new byte[800];
        System.arraycopy(sent, 0, whole, 0, 500);
        System.arraycopy(rest, 0, whole, 500, 300);
        Digest digest = Digest.sha256(whole);
        assertThat(client.put(location + "?digest=" + digest, new byte[0]).statusCode()).isEqualTo(201);
        assertThat(client.get("/v2/" + repo + "/blobs/" + digest).body()).isEqualTo(whole);
    }

    @Test
    void multiMebibyteUploadIsStreamedAndServedBack() throws Exception {
        String repo = newRepo();
        int size = 24 * 1024 * 1024;
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] block = TestImages.randomBytes(64 * 1024, 10);
        for (int i = 0; i < size / block.length; i++) {
            sha.update(block);
        }
        Digest digest = Digest.of(dev.fleetmirror.core.digest.DigestAlgorithm.SHA256, sha.digest());
        String location = client.startUpload(repo);
        HttpResponse<byte[]> patch = client.send(client.request(location)
                .method("PATCH", HttpRequest.BodyPublishers.ofInputStream(() -> repeating(block, size))));
        assertThat(patch.statusCode()).isEqualTo(202);
        assertThat(patch.headers().firstValue("Range")).hasValue("0-" + (size - 1));
        assertThat(client.put(location + "?digest=" + digest, new byte[0]).statusCode()).isEqualTo(201);

        HttpResponse<InputStream> get = client.sendStreaming("/v2/" + repo + "/blobs/" + digest);
        assertThat(get.statusCode()).isEqualTo(200);
        assertThat(RegistryClient.sha256(get.body())).isEqualTo(digest);
    }

    static InputStream repeating(byte[] block, long total) {
        return new InputStream() {
            long position;

            @Override
            public int read() {
                return position < total ? block[(int) (position++ % block.length)] & 0xff : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (position >= total) {
                    return -1;
                }
                int start = (int) (position % block.length);
                int n = (int) Math.min(Math.min(len, block.length - start), total - position);
                System.arraycopy(block, start, b, off, n);
                position += n;
                return n;
            }
        };
    }

    // ---- manifests ----

    @Test
    void manifestPushedByTagIsServedByTagAndDigest() {
        String repo = newRepo();
        Image image = pushImage(repo, "v1", 11);
        for (String reference : List.of("v1", image.digest().toString())) {
            HttpResponse<byte[]> get = client.get("/v2/" + repo + "/manifests/" + reference,
                    "Accept", MediaTypes.OCI_MANIFEST + ", " + MediaTypes.OCI_INDEX);
            assertThat(get.statusCode()).as(reference).isEqualTo(200);
            assertThat(get.body()).isEqualTo(image.manifest());
            assertThat(get.headers().firstValue("Content-Type")).hasValue(MediaTypes.OCI_MANIFEST);
            assertThat(get.headers().firstValue("Docker-Content-Digest")).hasValue(image.digest().toString());
        }
        HttpResponse<byte[]> head = client.head("/v2/" + repo + "/manifests/v1");
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.headers().firstValue("Content-Length")).hasValue(Integer.toString(image.manifest().length));
        assertThat(head.headers().firstValue("Docker-Content-Digest")).hasValue(image.digest().toString());
    }

    @Test
    void manifestPutAnswersLocationAndDigest() {
        String repo = newRepo();
        byte[] config = TestImages.config("put");
        byte[] layer = TestImages.randomBytes(10, 12);
        Digest c = client.pushBlob(repo, config);
        Digest l = client.pushBlob(repo, layer);
        byte[] manifest = TestImages.imageManifest(c, config.length, l, layer.length);
        HttpResponse<byte[]> put = client.put("/v2/" + repo + "/manifests/latest", manifest, "Content-Type", MediaTypes.OCI_MANIFEST);
        assertThat(put.statusCode()).isEqualTo(201);
        Digest digest = Digest.sha256(manifest);
        assertThat(put.headers().firstValue("Location")).hasValue("/v2/" + repo + "/manifests/" + digest);
        assertThat(put.headers().firstValue("Docker-Content-Digest")).hasValue(digest.toString());
        assertThat(put.headers().firstValue("OCI-Subject")).isEmpty();
    }

    @Test
    void manifestNotListedInAcceptIsAnsweredManifestUnknown() {
        String repo = newRepo();
        pushImage(repo, "v1", 13);
        HttpResponse<byte[]> docker = client.get("/v2/" + repo + "/manifests/v1", "Accept", MediaTypes.DOCKER_MANIFEST);
        assertThat(docker.statusCode()).isEqualTo(404);
        assertThat(errorCode(docker)).isEqualTo("MANIFEST_UNKNOWN");
        assertThat(client.get("/v2/" + repo + "/manifests/v1", "Accept", "*/*").statusCode()).isEqualTo(200);
        assertThat(client.get("/v2/" + repo + "/manifests/v1",
                "Accept", MediaTypes.DOCKER_MANIFEST + ";q=0.9, " + MediaTypes.OCI_MANIFEST).statusCode()).isEqualTo(200);
    }

    @Test
    void manifestReferencingMissingBlobIsManifestBlobUnknown() {
        String repo = newRepo();
        byte[] config = TestImages.config("missing");
        Digest c = client.pushBlob(repo, config);
        Digest missing = Digest.sha256("no such layer".getBytes(StandardCharsets.UTF_8));
        byte[] manifest = TestImages.imageManifest(c, config.length, missing, 13);
        HttpResponse<byte[]> put = client.put("/v2/" + repo + "/manifests/v1", manifest, "Content-Type", MediaTypes.OCI_MANIFEST);
        assertThat(put.statusCode()).isEqualTo(400);
        assertThat(errorCode(put)).isEqualTo("MANIFEST_BLOB_UNKNOWN");
        assertThat(client.get("/v2/" + repo + "/manifests/v1").statusCode()).isEqualTo(404);
    }

    @Test
    void oversizeManifestIs413SizeInvalid() {
        String repo = newRepo();
        byte[] huge = new byte[4 * 1024 * 1024 + 1];
        Arrays.fill(huge, (byte) ' ');
        HttpResponse<byte[]> put = client.put("/v2/" + repo + "/manifests/big", huge, "Content-Type", MediaTypes.OCI_MANIFEST);
        assertThat(put.statusCode()).isEqualTo(413);
        assertThat(errorCode(put)).isEqualTo("SIZE_INVALID");
        assertThat(client.get("/v2/" + repo + "/manifests/big").statusCode()).isEqualTo(404);
    }

    @Test
    void manifestDeletedByDigestIsUnknownAfterwards() {
        String repo = newRepo();
        Image image = pushImage(repo, "gone", 14);
        assertThat(client.delete("/v2/" + repo + "/manifests/" + image.digest()).statusCode()).isEqualTo(202);
        HttpResponse<byte[]> get = client.get("/v2/" + repo + "/manifests/" + image.digest());
        assertThat(get.statusCode()).isEqualTo(404);
        assertThat(errorCode(get)).isEqualTo("MANIFEST_UNKNOWN");
        assertThat(client.get("/v2/" + repo + "/manifests/gone").statusCode()).isEqualTo(404);
    }

    // ---- listings ----

    @Test
    void tagListPagesWithLinkHeader() {
        String repo = newRepo();
        Image image = pushImage(repo, "a", 15);
        for (String tag : List.of("b", "c", "d", "e")) {
            client.pushManifest(repo, tag, MediaTypes.OCI_MANIFEST, image.manifest());
        }
        HttpResponse<byte[]> all = client.get("/v2/" + repo + "/tags/list");
        assertThat(textList(json(all).path("tags"))).containsExactly("a", "b", "c", "d", "e");
        assertThat(json(all).path("name").asText()).isEqualTo(repo);
        assertThat(all.headers().firstValue("Link")).isEmpty();

        HttpResponse<byte[]> first = client.get("/v2/" + repo + "/tags/list?n=2");
        assertThat(textList(json(first).path("tags"))).containsExactly("a", "b");
        assertThat(first.headers().firstValue("Link"))
                .hasValue("</v2/" + repo + "/tags/list?last=b&n=2>; rel=\"next\"");
        HttpResponse<byte[]> last = client.get("/v2/" + repo + "/tags/list?n=2&last=d");
        assertThat(textList(json(last).path("tags"))).containsExactly("e");
        assertThat(last.headers().firstValue("Link")).isEmpty();

        assertThat(textList(json(client.get("/v2/" + repo + "/tags/list?n=0")).path("tags"))).isEmpty();
    }

    @Test
    void invalidPageSizeIs400PaginationNumberInvalid() {
        for (String query : List.of("n=-1", "n=abc")) {
            HttpResponse<byte[]> tags = client.get("/v2/" + newRepo() + "/tags/list?" + query);
            assertThat(tags.statusCode()).as(query).isEqualTo(400);
            assertThat(errorCode(tags)).isEqualTo("PAGINATION_NUMBER_INVALID");
            HttpResponse<byte[]> catalog = client.get("/v2/_catalog?" + query);
            assertThat(catalog.statusCode()).as(query).isEqualTo(400);
            assertThat(errorCode(catalog)).isEqualTo("PAGINATION_NUMBER_INVALID");
        }
    }

    @Test
    void tagListOfUnknownRepositoryIsNameUnknown() {
        HttpResponse<byte[]> response = client.get("/v2/" + newRepo() + "/tags/list");
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(errorCode(response)).isEqualTo("NAME_UNKNOWN");
    }

    @Test
    void catalogPagesWithLinkHeader() {
        String a = "catalog/a" + REPOS.incrementAndGet();
        String b = "catalog/b" + REPOS.incrementAndGet();
        pushImage(a, "v1", 16);
        pushImage(b, "v1", 17);
        List<String> all = textList(json(client.get("/v2/_catalog")).path("repositories"));
        assertThat(all).contains(a, b).isSorted();

        int index = all.indexOf(a);
        HttpResponse<byte[]> page = client.get("/v2/_catalog?n=1&last=" + (index == 0 ? "" : all.get(index - 1)));
        assertThat(textList(json(page).path("repositories"))).containsExactly(a);
        assertThat(page.headers().firstValue("Link")).hasValue("</v2/_catalog?last=" + a.replace("/", "%2F") + "&n=1>; rel=\"next\"");
        HttpResponse<byte[]> next = client.get("/v2/_catalog?n=1&last=" + a);
        assertThat(textList(json(next).path("repositories"))).containsExactly(all.get(index + 1));
        assertThat(textList(json(client.get("/v2/_catalog?n=0")).path("repositories"))).isEmpty();
    }

    // ---- referrers ----

    @Test
    void referrersAreListedAndFilteredByArtifactType() {
        String repo = newRepo();
        Image image = pushImage(repo, "v1", 18);
        client.pushBlob(repo, TestImages.EMPTY_CONFIG);
        byte[] sbom = TestImages.referrer("application/vnd.example.sbom", image.digest(), image.manifest().length, "sbom");
        byte[] sig = TestImages.referrer("application/vnd.example.sig", image.digest(), image.manifest().length, "sig");
        HttpResponse<byte[]> put = client.put("/v2/" + repo + "/manifests/" + Digest.sha256(sbom), sbom,
                "Content-Type", MediaTypes.OCI_MANIFEST);
        assertThat(put.statusCode()).isEqualTo(201);
        assertThat(put.headers().firstValue("OCI-Subject")).hasValue(image.digest().toString());
        client.pushManifest(repo, Digest.sha256(sig).toString(), MediaTypes.OCI_MANIFEST, sig);

        HttpResponse<byte[]> all = client.get("/v2/" + repo + "/referrers/" + image.digest());
        assertThat(all.statusCode()).isEqualTo(200);
        assertThat(all.headers().firstValue("Content-Type")).hasValue(MediaTypes.OCI_INDEX);
        JsonNode index = json(all);
        assertThat(index.path("schemaVersion").asInt()).isEqualTo(2);
        assertThat(index.path("mediaType").asText()).isEqualTo(MediaTypes.OCI_INDEX);
        assertThat(index.path("manifests")).hasSize(2);
        assertThat(all.headers().firstValue("OCI-Filters-Applied")).isEmpty();

        HttpResponse<byte[]> filtered = client.get("/v2/" + repo + "/referrers/" + image.digest()
                + "?artifactType=application/vnd.example.sbom");
        assertThat(filtered.headers().firstValue("OCI-Filters-Applied")).hasValue("artifactType");
        JsonNode only = json(filtered).path("manifests");
        assertThat(only).hasSize(1);
        assertThat(only.path(0).path("digest").asText()).isEqualTo(Digest.sha256(sbom).toString());
        assertThat(only.path(0).path("artifactType").asText()).isEqualTo("application/vnd.example.sbom");
        assertThat(only.path(0).path("size").asLong()).isEqualTo(sbom.length);
        assertThat(only.path(0).path("annotations").path("note").asText()).isEqualTo("sbom");
    }

    @Test
    void referrersOfUnknownSubjectAreAnEmptyIndex() {
        HttpResponse<byte[]> response = client.get("/v2/" + newRepo() + "/referrers/"
                + Digest.sha256("nothing refers".getBytes(StandardCharsets.UTF_8)));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response).path("manifests")).isEmpty();
    }

    // ---- storage switches ----

    @Test
    void deletesDisabledAnswer405AndKeepContent() throws Exception {
        String repo = newRepo();
        Image image = pushImage(repo, "keep", 19);
        FleetMirrorNode noDeletes = start(storage -> storage.withDeleteEnabled(false));
        try {
            RegistryClient other = new RegistryClient(noDeletes.port());
            HttpResponse<byte[]> manifest = other.delete("/v2/" + repo + "/manifests/" + image.digest());
            assertThat(manifest.statusCode()).isEqualTo(405);
            assertThat(errorCode(manifest)).isEqualTo("UNSUPPORTED");
            assertThat(other.delete("/v2/" + repo + "/blobs/" + image.layer()).statusCode()).isEqualTo(405);
            assertThat(other.get("/v2/" + repo + "/manifests/keep").statusCode()).isEqualTo(200);
            assertThat(other.head("/v2/" + repo + "/blobs/" + image.layer()).statusCode()).isEqualTo(200);
        } finally {
            noDeletes.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void readOnlyModeRefusesWritesAndServesReads() throws Exception {
        String repo = newRepo();
        Image image = pushImage(repo, "ro", 20);
        FleetMirrorNode readOnly = start(storage -> storage.withReadOnly(true));
        try {
            RegistryClient other = new RegistryClient(readOnly.port());
            List<HttpResponse<byte[]>> writes = List.of(
                    other.post("/v2/" + repo + "/blobs/uploads/", new byte[0]),
                    other.post("/v2/" + repo + "/blobs/uploads/?digest=" + Digest.sha256(new byte[] {1}), new byte[] {1}),
                    other.put("/v2/" + repo + "/manifests/other", image.manifest(), "Content-Type", MediaTypes.OCI_MANIFEST),
                    other.delete("/v2/" + repo + "/manifests/" + image.digest()));
            for (HttpResponse<byte[]> write : writes) {
                assertThat(write.statusCode()).as(write.request().method() + " " + write.uri()).isEqualTo(405);
                assertThat(errorCode(write)).isEqualTo("UNSUPPORTED");
                assertThat(json(write).path("errors").path(0).path("message").asText()).contains("maintenance");
            }
            assertThat(other.get("/v2/" + repo + "/manifests/ro").statusCode()).isEqualTo(200);
            assertThat(other.get("/v2/" + repo + "/blobs/" + image.layer()).statusCode()).isEqualTo(200);
            assertThat(other.get("/v2/" + repo + "/manifests/other").statusCode()).isEqualTo(404);
        } finally {
            readOnly.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    private static List<String> textList(JsonNode array) {
        List<String> values = new java.util.ArrayList<>();
        array.forEach(n -> values.add(n.asText()));
        return values;
    }
}
