package dev.fleetmirror.storage.s3;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fleetmirror.core.storage.FileWriter;
import dev.fleetmirror.core.storage.PathNotFoundException;
import dev.fleetmirror.core.storage.StorageException;
import dev.fleetmirror.core.storage.StorageUnavailableException;
import dev.fleetmirror.storage.s3.testing.S3CallRecorder;
import dev.fleetmirror.storage.s3.testing.S3ProxyProcess;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.DeleteObjectsRequest;
import software.amazon.awssdk.services.s3.model.UploadPartCopyRequest;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

/**
 * What only the S3 driver has to prove, on a real S3 endpoint (S3Proxy): multipart uploads, uploads
 * resumed by another driver instance (another node), aborted uploads, pagination and batch deletes
 * past S3's 1,000-key pages, multipart copy, presigned URLs, and how failures are reported.
 */
class S3StorageDriverBehaviourTest {
    static final String BUCKET = "behaviour";
    static final int MIB = 1024 * 1024;

    @TempDir
    static Path workDir;
    static S3ProxyProcess s3proxy;
    static S3Client raw;

    S3StorageConfig config;
    S3CallRecorder recorder;
    S3StorageDriver driver;
    String base;

    @BeforeAll
    static void startS3Proxy() {
        s3proxy = S3ProxyProcess.start(workDir);
        s3proxy.createBucket(BUCKET);
        raw = s3proxy.client();
    }

    @AfterAll
    static void stopS3Proxy() {
        if (raw != null) {
            raw.close();
        }
        if (s3proxy != null) {
            s3proxy.close();
        }
    }

    @BeforeEach
    void openDriver() {
        config = s3proxy.config(BUCKET).withRootDirectory("/registry-root/")
                .withChunkSizes(5 * MIB, 5 * MIB, 5 * MIB);
        recorder = new S3CallRecorder();
        driver = S3StorageDriver.open(config, List.of(recorder));
        base = "/behaviour-" + UUID.randomUUID();
    }

    @AfterEach
    void closeDriver() {
        driver.close();
    }

    @Test
    void keysAreDistributionsRootDirectoryPlusPath() {
        driver.putContent(base + "/docker/registry/v2/repositories/a/_layers/link", bytes("sha256:x"));

        String key = "registry-root" + base + "/docker/registry/v2/repositories/a/_layers/link";
        assertThat(raw.getObjectAsBytes(b -> b.bucket(BUCKET).key(key)).asUtf8String()).isEqualTo("sha256:x");
    }

    @Test
    void writesAboveChunkSizeBecomeOneMultipartUploadCompletedOnlyOnCommit() throws IOException {
        Content content = new Content(12 * MIB + 5);
        try (FileWriter writer = driver.writer(base + "/big", false)) {
            content.writeTo(writer, 1 * MIB + 3);
            onlyUploadOf(base + "/big");
            assertThatThrownBy(() -> driver.stat(base + "/big")).isInstanceOf(PathNotFoundException.class);
            writer.commit();
        }

        assertThat(recorder.calls("UploadPart")).extracting(c -> ((UploadPartRequest) c.request()).contentLength())
                .containsExactlyInAnyOrder((long) 5 * MIB, (long) 5 * MIB, (long) 2 * MIB + 5);
        assertThat(recorder.calls("CompleteMultipartUpload")).hasSize(1);
        assertThat(uploadsOf(base + "/big")).isEmpty();
        assertThat(sha256(driver.reader(base + "/big", 0))).isEqualTo(content.sha256());
    }

    @Test
    void contentSmallerThanAChunkIsOneSinglePut() {
        try (FileWriter writer = driver.writer(base + "/small", false)) {
            writer.write(bytes("a manifest"));
            writer.commit();
        }

        assertThat(recorder.calls("PutObject")).hasSize(1);
        assertThat(recorder.calls("CreateMultipartUpload")).isEmpty();
        assertThat(driver.getContent(base + "/small")).isEqualTo(bytes("a manifest"));
    }

    @Test
    void appendResumedByAnotherDriverInstanceCompletesWithIdenticalBytes() throws IOException {
        String path = base + "/_uploads/u1/data";
        Content content = new Content(13 * MIB + 11);
        try (FileWriter onNodeA = driver.writer(path, true)) {
            content.writeTo(onNodeA, 0, 6 * MIB + 1, 64 * 1024 + 1);
        }
        assertThatThrownBy(() -> driver.stat(path))
                .as("nothing is visible at the path before commit").isInstanceOf(PathNotFoundException.class);

        try (S3StorageDriver nodeB = S3StorageDriver.open(config)) {
            try (FileWriter onNodeB = nodeB.writer(path, true)) {
                assertThat(onNodeB.size()).isEqualTo(6 * MIB + 1);
                content.writeTo(onNodeB, 6 * MIB + 1, 3 * MIB, 1000);
            }
        }
        try (S3StorageDriver nodeC = S3StorageDriver.open(config); FileWriter onNodeC = nodeC.writer(path, true)) {
            assertThat(onNodeC.size()).isEqualTo(9 * MIB + 1);
            content.writeTo(onNodeC, 9 * MIB + 1, content.size - (9 * MIB + 1), 7 * MIB);
            onNodeC.commit();
        }

        assertThat(driver.stat(path).size()).isEqualTo(content.size);
        assertThat(sha256(driver.reader(path, 0))).isEqualTo(content.sha256());
        assertThat(pendingExists(path)).as("pending state removed on commit").isFalse();
    }

    @Test
    void closingWithATailOfFiveMebibytesOrMoreSendsItAsAPartSoThePendingStateStaysSmall() throws IOException {
        String path = base + "/_uploads/u4/data";
        Content content = new Content(15 * MIB + 7);
        try (S3StorageDriver tenMebibyteParts = S3StorageDriver.open(config.withChunkSizes(10 * MIB, 5 * MIB, 5 * MIB))) {
            try (FileWriter writer = tenMebibyteParts.writer(path, true)) {
                content.writeTo(writer, 0, 7 * MIB, MIB);
            }
            PendingWrite pending = pendingState(path);
            assertThat(pending.parts()).extracting(PendingWrite.Part::size).containsExactly((long) 7 * MIB);
            assertThat(pending.tailSize()).isZero();

            try (FileWriter writer = tenMebibyteParts.writer(path, true)) {
                content.writeTo(writer, 7 * MIB, content.size - 7 * MIB, MIB);
                writer.commit();
            }
        }

        assertThat(sha256(driver.reader(path, 0))).isEqualTo(content.sha256());
    }

    @Test
    void aWriterWhoseS3CallFailedReportsAndKeepsTheSizeItWasOpenedWith() throws IOException {
        String path = base + "/_uploads/u5/data";
        Content content = new Content(12 * MIB);
        try (FileWriter writer = driver.writer(path, true)) {
            content.writeTo(writer, 0, 6 * MIB, MIB);
        }
        // The bucket loses the multipart upload behind the driver's back.
        String uploadId = pendingState(path).uploadId().orElseThrow();
        raw.abortMultipartUpload(b -> b.bucket(BUCKET).key(key(path)).uploadId(uploadId));
        raw.deleteObject(b -> b.bucket(BUCKET).key(key(path)));

        try (FileWriter writer = driver.writer(path, true)) {
            assertThatThrownBy(() -> {
                content.writeTo(writer, 6 * MIB, 6 * MIB, MIB);
                writer.commit();
            }).isInstanceOf(StorageException.class);
            assertThat(writer.size()).as("what storage still holds").isEqualTo(6 * MIB);
        }

        try (FileWriter writer = driver.writer(path, true)) {
            assertThat(writer.size()).isEqualTo(6 * MIB);
            writer.cancel();
        }
    }

    @Test
    void cancelAbortsTheMultipartUploadAndRemovesThePendingState() throws IOException {
        String path = base + "/_uploads/u2/data";
        try (FileWriter writer = driver.writer(path, true)) {
            new Content(6 * MIB).writeTo(writer, MIB);
        }
        String uploadId = pendingState(path).uploadId().orElseThrow();
        assertThat(uploadsOf(path)).containsExactly(uploadId);

        try (FileWriter writer = driver.writer(path, true)) {
            writer.write(bytes("more"));
            writer.cancel();
        }

        assertThat(uploadsOf(path)).as("the upload is aborted").isEmpty();
        assertThat(pendingExists(path)).isFalse();
        assertThatThrownBy(() -> driver.stat(path)).isInstanceOf(PathNotFoundException.class);
    }

    @Test
    void deletingAnUploadDirectoryAbortsItsPendingMultipartUpload() throws IOException {
        String dir = base + "/_uploads/u3";
        driver.putContent(dir + "/startedat", bytes("2026-01-01T00:00:00Z"));
        try (FileWriter writer = driver.writer(dir + "/data", true)) {
            new Content(5 * MIB + 9).writeTo(writer, MIB);
        }
        assertThat(uploadsOf(dir + "/data")).hasSize(1);

        driver.delete(dir);

        assertThat(uploadsOf(dir + "/data")).isEmpty();
        assertThat(pendingExists(dir + "/data")).isFalse();
        assertThatThrownBy(() -> driver.delete(dir)).isInstanceOf(PathNotFoundException.class);
    }

    @Test
    void listPaginatesAndDeleteBatchesPastAThousandKeys() throws Exception {
        String dir = base + "/many";
        int count = 1005;
        // Written straight into the directory S3Proxy serves: 1,005 PUTs would dominate the test's time.
        for (int i = 0; i < count; i++) {
            Path file = s3proxy.dataDirectory().resolve(BUCKET)
                    .resolve(key(dir + (i % 2 == 0 ? "/f" + i : "/sub" + i + "/link")).replace('/', File.separatorChar));
            Files.createDirectories(file.getParent());
            Files.write(file, bytes("x"));
        }
        driver.putContent(base + "/many-sibling/keep", bytes("k"));

        assertThat(driver.list(dir)).hasSize(count).doesNotHaveDuplicates()
                .contains(dir + "/f0", dir + "/sub1", dir + "/f1004");
        assertThat(recorder.calls("ListObjectsV2")).as("two pages of at most 1,000").hasSize(2);
        S3CallRecorder smallRecorder = new S3CallRecorder();
        try (S3StorageDriver smallPages = S3StorageDriver.open(config.withListPageSize(97), List.of(smallRecorder))) {
            assertThat(smallPages.list(dir)).hasSize(count).doesNotHaveDuplicates();
            assertThat(smallRecorder.calls("ListObjectsV2")).hasSize(11);
        }
        recorder.clear();
        driver.delete(dir);

        assertThat(recorder.calls("DeleteObjects")).extracting(
                c -> ((DeleteObjectsRequest) c.request()).delete().objects().size()).containsExactly(1000, 5);
        assertThatThrownBy(() -> driver.list(dir)).isInstanceOf(PathNotFoundException.class);
        assertThat(driver.getContent(base + "/many-sibling/keep")).isEqualTo(bytes("k"));
    }

    @Test
    void moveAboveTheThresholdIsAMultipartCopyWithTheSameBytes() throws IOException {
        Content content = new Content(11 * MIB + 1);
        try (FileWriter writer = driver.writer(base + "/upload", false)) {
            content.writeTo(writer, MIB);
            writer.commit();
        }

        driver.move(base + "/upload", base + "/blob/data");

        assertThat(recorder.calls("UploadPartCopy")).extracting(c -> ((UploadPartCopyRequest) c.request()).copySourceRange())
                .containsExactly("bytes=0-5242879", "bytes=5242880-10485759", "bytes=10485760-11534336");
        assertThat(recorder.calls("CopyObject")).isEmpty();
        assertThat(sha256(driver.reader(base + "/blob/data", 0))).isEqualTo(content.sha256());
        assertThatThrownBy(() -> driver.stat(base + "/upload")).isInstanceOf(PathNotFoundException.class);
    }

    @Test
    void presignedUrlUsesThePresignEndpointAndIsFetchableWithoutCredentials() throws Exception {
        // The nodes reach S3 as "localhost", clients by the presign endpoint's address.
        URI nodeSide = URI.create("http://localhost:" + s3proxy.port());
        URI clientSide = URI.create("http://127.0.0.1:" + s3proxy.port());
        S3StorageConfig split = new S3StorageConfig(BUCKET, config.region(), Optional.of(nodeSide),
                Optional.of(clientSide), config.accessKey(), config.secretKey(), Optional.empty(),
                config.rootDirectory(), true, false, config.chunkSize(), config.multipartCopyThresholdSize(),
                config.multipartCopyChunkSize(), 8, 1000);
        try (S3StorageDriver presigning = S3StorageDriver.open(split)) {
            presigning.putContent(base + "/blob", bytes("presigned content"));

            URI url = presigning.redirectUrl(base + "/blob", Duration.ofMinutes(5)).orElseThrow();

            assertThat(url.getHost()).isEqualTo("127.0.0.1");
            HttpResponse<String> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(url).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("presigned content");
        }
    }

    @Test
    void readersClosedEarlyGiveTheirConnectionBack() throws IOException {
        driver.putContent(base + "/blob", new byte[8 * MIB]);
        try (S3StorageDriver twoConnections = S3StorageDriver.open(new S3StorageConfig(BUCKET, config.region(),
                config.regionEndpoint(), Optional.empty(), config.accessKey(), config.secretKey(), Optional.empty(),
                config.rootDirectory(), true, false, config.chunkSize(), config.multipartCopyThresholdSize(),
                config.multipartCopyChunkSize(), 2, 1000))) {
            for (int i = 0; i < 10; i++) {
                try (InputStream in = twoConnections.reader(base + "/blob", i)) {
                    assertThat(in.read()).isZero();
                }
            }
            assertThat(twoConnections.getContent(base + "/blob")).hasSize(8 * MIB);
        }
    }

    @Test
    void wrongCredentialsAreReportedAsDeniedNamingTheKeysToCheck() {
        S3StorageConfig wrong = S3StorageConfig.of(BUCKET, s3proxy.endpoint(), S3ProxyProcess.ACCESS_KEY, "wrong");
        try (S3StorageDriver denied = S3StorageDriver.open(wrong)) {
            assertThatThrownBy(() -> denied.getContent("/anything"))
                    .isInstanceOf(StorageException.class)
                    .isNotInstanceOf(PathNotFoundException.class)
                    .hasMessageContaining("denied").hasMessageContaining("accesskey");
        }
    }

    @Test
    void missingBucketIsUnavailableNamingTheBucket() {
        try (S3StorageDriver noBucket = S3StorageDriver.open(s3proxy.config("no-such-bucket"))) {
            assertThatThrownBy(() -> noBucket.getContent("/anything"))
                    .isInstanceOf(StorageUnavailableException.class)
                    .hasMessageContaining("no-such-bucket").hasMessageContaining("does not exist");
        }
    }

    @Test
    void unreachableEndpointIsUnavailableNamingTheEndpoint() throws IOException {
        int closedPort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        URI nowhere = URI.create("http://127.0.0.1:" + closedPort);
        try (S3StorageDriver unreachable = S3StorageDriver.open(
                S3StorageConfig.of(BUCKET, nowhere, "a", "b"))) {
            assertThatThrownBy(() -> unreachable.stat("/anything"))
                    .isInstanceOf(StorageUnavailableException.class)
                    .hasMessageContaining(nowhere.toString()).hasMessageContaining("unreachable");
        }
    }

    // ---- helpers ----

    private String key(String path) {
        return "registry-root" + path;
    }

    private List<String> uploadsOf(String path) {
        return raw.listMultipartUploads(b -> b.bucket(BUCKET).prefix(key(path))).uploads().stream()
                .filter(u -> u.key().equals(key(path))).map(u -> u.uploadId()).toList();
    }

    private String onlyUploadOf(String path) {
        List<String> uploads = uploadsOf(path);
        assertThat(uploads).hasSize(1);
        return uploads.get(0);
    }

    private boolean pendingExists(String path) {
        try {
            raw.headObject(b -> b.bucket(BUCKET).key("registry-root/" + S3Keys.PENDING_DIR + path + S3Keys.PENDING_SUFFIX));
            return true;
        } catch (SdkException e) {
            return false;
        }
    }

    private PendingWrite pendingState(String path) throws IOException {
        try (InputStream in = raw.getObject(b -> b.bucket(BUCKET)
                .key("registry-root/" + S3Keys.PENDING_DIR + path + S3Keys.PENDING_SUFFIX))) {
            return PendingWrite.readHeader(in);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(UTF_8);
    }

    static byte[] sha256(InputStream in) throws IOException {
        MessageDigest digest = newSha256();
        byte[] buffer = new byte[64 * 1024];
        try (in) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return digest.digest();
    }

    static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Deterministic content addressed by position, generated in pieces so no test holds it whole. */
    static final class Content {
        final long size;

        Content(long size) {
            this.size = size;
        }

        static byte at(long position) {
            long x = (position + 1) * 0x9E3779B97F4A7C15L;
            return (byte) (x >>> 56 ^ x >>> 29);
        }

        void writeTo(FileWriter writer, int pieceSize) {
            writeTo(writer, 0, size, pieceSize);
        }

        void writeTo(FileWriter writer, long from, long length, int pieceSize) {
            byte[] piece = new byte[pieceSize];
            long end = from + length;
            for (long position = from; position < end; ) {
                int n = (int) Math.min(pieceSize, end - position);
                for (int i = 0; i < n; i++) {
                    piece[i] = at(position + i);
                }
                writer.write(piece, 0, n);
                position += n;
            }
        }

        byte[] sha256() {
            MessageDigest digest = newSha256();
            byte[] piece = new byte[64 * 1024];
            for (long position = 0; position < size; ) {
                int n = (int) Math.min(piece.length, size - position);
                for (int i = 0; i < n; i++) {
                    piece[i] = at(position + i);
                }
                digest.update(piece, 0, n);
                position += n;
            }
            return digest.digest();
        }
    }
}
