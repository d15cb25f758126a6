package dev.fleetmirror.core.registry.stored;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.digest.DigestAlgorithm;
import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.registry.BlobDescriptor;
import dev.fleetmirror.core.error.ErrorCode;
import dev.fleetmirror.core.registry.Registry;
import dev.fleetmirror.core.error.RegistryException;
import dev.fleetmirror.core.registry.RegistrySettings;
import dev.fleetmirror.core.registry.UploadSession;
import dev.fleetmirror.core.storage.FilesystemDriver;
import dev.fleetmirror.core.storage.StorageException;
import dev.fleetmirror.core.storage.StoragePaths;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StoredUploadsTest extends RegistryFixture {
    static final RepositoryName REPO = RepositoryName.of("team/app");

    /** Three chunks, each request on a different "node"; returns the upload id. */
    private String uploadInThreeRequests(byte[] content, Registry first, Registry second) {
        int third = content.length / 3;
        String id;
        try (UploadSession session = first.uploads().start(REPO)) {
            id = session.id();
            session.write(content, 0, third);
        }
        try (UploadSession session = second.uploads().resume(REPO, id)) {
            assertThat(session.size()).isEqualTo(third);
            session.write(content, third, third);
        }
        return id;
    }

    private static byte[] randomBytes(int size) {
        byte[] bytes = new byte[size];
        new Random(7).nextBytes(bytes);
        return bytes;
    }

    private Path file(String storagePath) {
        return root.resolve(storagePath.substring(1));
    }

    private String uploadData(String id) {
        return StoragePaths.uploadData(REPO, id);
    }

    @Test
    void chunkedUploadThatMovedBetweenNodesIsHashedFromStorageOnComplete() throws IOException {
        byte[] content = randomBytes(300_001);
        Digest digest = Digest.sha256(content);
        String id = uploadInThreeRequests(content, registry, anotherNode());
        int done = 2 * (content.length / 3);

        CountingReadsDriver reads = new CountingReadsDriver(new FilesystemDriver(root));
        Registry third = StoredRegistry.create(reads, RegistrySettings.defaults());
        BlobDescriptor blob;
        try (UploadSession session = third.uploads().resume(REPO, id)) {
            assertThat(session.size()).isEqualTo(done);
            session.write(content, done, content.length - done);
            blob = session.complete(digest);
        }

        assertThat(reads.readersOpened(uploadData(id))).isEqualTo(1);
        assertThat(blob).isEqualTo(new BlobDescriptor(digest, content.length));
        assertThat(Files.readAllBytes(file(StoragePaths.blobData(digest)))).isEqualTo(content);
        assertThat(registry.blobs().stat(REPO, digest)).contains(blob);
        assertThat(file(StoragePaths.uploadDir(REPO, id))).doesNotExist();
    }

    @Test
    void chunkedUploadResumedOnTheSameNodeIsNotReadBack() throws IOException {
        CountingReadsDriver reads = new CountingReadsDriver(driver);
        Registry node = StoredRegistry.create(reads, RegistrySettings.defaults());
        byte[] content = randomBytes(300_001);
        Digest digest = Digest.sha256(content);
        String id = uploadInThreeRequests(content, node, node);
        int done = 2 * (content.length / 3);

        try (UploadSession session = node.uploads().resume(REPO, id)) {
            session.write(content, done, content.length - done);
            assertThat(session.complete(digest)).isEqualTo(new BlobDescriptor(digest, content.length));
        }

        assertThat(reads.readersOpened(uploadData(id))).isZero();
        assertThat(Files.readAllBytes(file(StoragePaths.blobData(digest)))).isEqualTo(content);
    }

    @Test
    void nodeThatWroteEarlierChunksButNotTheLastOneReadsTheUploadBack() {
        CountingReadsDriver reads = new CountingReadsDriver(driver);
        Registry node = StoredRegistry.create(reads, RegistrySettings.defaults());
        byte[] content = randomBytes(3000);
        Digest digest = Digest.sha256(content);
        // This node keeps a hash of the first 1000 bytes; another node then writes the second 1000.
        String id = uploadInThreeRequests(content, node, anotherNode());

        try (UploadSession session = node.uploads().resume(REPO, id)) {
            assertThat(session.size()).isEqualTo(2000);
            session.write(content, 2000, 1000);
            assertThat(session.complete(digest).digest()).isEqualTo(digest);
        }
        assertThat(reads.readersOpened(uploadData(id))).isEqualTo(1);
    }

    @Test
    void aChunkThatFailedHalfWrittenNeverCompletesUnderTheDigestOfOtherBytes() {
        FailingWritesDriver failing = new FailingWritesDriver(driver);
        Registry node = StoredRegistry.create(failing, RegistrySettings.defaults());
        byte[] first = randomBytes(1000);
        byte[] second = "second chunk".getBytes(StandardCharsets.UTF_8);
        long stored = first.length + second.length / 2;

        try (UploadSession session = node.uploads().start(REPO)) {
            session.write(first, 0, first.length);
            failing.failNextWrite();
            assertThatThrownBy(() -> session.write(second, 0, second.length)).isInstanceOf(StorageException.class);
            assertThat(session.size()).isEqualTo(stored);
            // The bytes the session accepted before the failure hash to this; storage holds more.
            assertThatThrownBy(() -> session.complete(Digest.sha256(first))).isInstanceOfSatisfying(RegistryException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.DIGEST_INVALID));
        }
        assertThat(file(StoragePaths.BLOBS)).doesNotExist();
    }

    @Test
    void anUploadResumedOnTheSameNodeAfterAHalfWrittenChunkIsReadBackFromWhatWasStored() {
        CountingReadsDriver reads = new CountingReadsDriver(driver);
        FailingWritesDriver failing = new FailingWritesDriver(reads);
        Registry node = StoredRegistry.create(failing, RegistrySettings.defaults());
        byte[] content = randomBytes(3000);
        String id;
        try (UploadSession session = node.uploads().start(REPO)) {
            id = session.id();
            session.write(content, 0, 1000);
            failing.failNextWrite();
            assertThatThrownBy(() -> session.write(content, 1000, 1000)).isInstanceOf(StorageException.class);
        }

        try (UploadSession session = node.uploads().resume(REPO, id)) {
            assertThat(session.size()).isEqualTo(1500);
            session.write(content, 1500, 1500);
            assertThat(session.complete(Digest.sha256(content)).size()).isEqualTo(3000);
        }
        assertThat(reads.readersOpened(uploadData(id))).isEqualTo(1);
    }

    @Test
    void completionThatFailedInStorageCanBeRetriedOnTheSameNode() {
        FailingWritesDriver failing = new FailingWritesDriver(driver);
        Registry node = StoredRegistry.create(failing, RegistrySettings.defaults());
        byte[] content = randomBytes(3000);
        Digest digest = Digest.sha256(content);
        String id;
        try (UploadSession session = node.uploads().start(REPO)) {
            id = session.id();
            session.write(content, 0, content.length);
            failing.failNextCommit();
            assertThatThrownBy(() -> session.complete(digest)).isInstanceOf(StorageException.class);
        }

        try (UploadSession session = node.uploads().resume(REPO, id)) {
            assertThat(session.complete(digest)).isEqualTo(new BlobDescriptor(digest, content.length));
        }
    }

    @Test
    void anOpenUploadStoresOnlyItsDataAndStartTime() throws IOException {
        byte[] content = randomBytes(3000);
        String id = uploadInThreeRequests(content, registry, registry);

        try (Stream<Path> files = Files.list(file(StoragePaths.uploadDir(REPO, id)))) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("data", "startedat");
        }
    }

    @Test
    void hashStatesDistributionLeftAreIgnoredAndDeletedWithTheUpload() {
        byte[] content = randomBytes(5000);
        Digest digest = Digest.sha256(content);
        String id = uploadInThreeRequests(content, registry, anotherNode());
        int done = 2 * (content.length / 3);
        // What Distribution saves between requests: Go's encoding of its running hash.
        driver.putContent(StoragePaths.uploadDir(REPO, id) + "/hashstates/sha256/" + done,
                "sha\u0003garbage".getBytes(StandardCharsets.ISO_8859_1));

        try (UploadSession session = anotherNode().uploads().resume(REPO, id)) {
            session.write(content, done, content.length - done);
            assertThat(session.complete(digest).digest()).isEqualTo(digest);
        }
        assertThat(file(StoragePaths.uploadDir(REPO, id))).doesNotExist();
    }

    @Test
    void digestMismatchOfAnUploadThatMovedBetweenNodesStoresNothing() {
        byte[] content = randomBytes(3000);
        String id = uploadInThreeRequests(content, registry, anotherNode());
        Digest wrong = Digest.sha256("something else".getBytes(StandardCharsets.UTF_8));

        try (UploadSession session = anotherNode().uploads().resume(REPO, id)) {
            assertThatThrownBy(() -> session.complete(wrong)).isInstanceOfSatisfying(RegistryException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.DIGEST_INVALID));
        }
        assertThat(file(StoragePaths.BLOBS)).doesNotExist();
        assertThat(file(StoragePaths.layersDir(REPO))).doesNotExist();
        assertThat(file(StoragePaths.uploadDir(REPO, id))).doesNotExist();
    }

    @Test
    void digestMismatchOfAnUploadResumedOnTheSameNodeStoresNothing() {
        CountingReadsDriver reads = new CountingReadsDriver(driver);
        Registry node = StoredRegistry.create(reads, RegistrySettings.defaults());
        byte[] content = randomBytes(3000);
        String id = uploadInThreeRequests(content, node, node);
        Digest wrong = Digest.sha256(Arrays.copyOf(content, 2000 - 1));

        try (UploadSession session = node.uploads().resume(REPO, id)) {
            assertThatThrownBy(() -> session.complete(wrong)).isInstanceOfSatisfying(RegistryException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.DIGEST_INVALID);
                assertThat(e.getMessage()).contains(Digest.sha256(Arrays.copyOf(content, 2000)).toString());
            });
        }
        assertThat(reads.readersOpened(uploadData(id))).isZero();
        assertThat(file(StoragePaths.BLOBS)).doesNotExist();
        assertThat(file(StoragePaths.layersDir(REPO))).doesNotExist();
        assertThat(file(StoragePaths.uploadDir(REPO, id))).doesNotExist();
    }

    @Test
    void digestMismatchStoresNothing() {
        byte[] content = "the real content".getBytes(StandardCharsets.UTF_8);
        Digest claimed = Digest.sha256("other content".getBytes(StandardCharsets.UTF_8));
        String id;

        try (UploadSession session = registry.uploads().start(REPO)) {
            id = session.id();
            session.write(content, 0, content.length);
            assertThatThrownBy(() -> session.complete(claimed))
                    .isInstanceOfSatisfying(RegistryException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.DIGEST_INVALID);
                        assertThat(e.getMessage()).contains(claimed.toString()).contains(Digest.sha256(content).toString());
                    });
        }

        assertThat(file(StoragePaths.BLOBS)).doesNotExist();
        assertThat(file(StoragePaths.layersDir(REPO))).doesNotExist();
        assertThat(file(StoragePaths.uploadDir(REPO, id))).doesNotExist();
        assertThatThrownBy(() -> registry.uploads().resume(REPO, id)).isInstanceOfSatisfying(RegistryException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.BLOB_UPLOAD_UNKNOWN));
    }

    @Test
    void sha512UploadsAreVerifiedByReadingTheDataBack() throws IOException {
        byte[] content = randomBytes(100_000);
        Digest digest = Digest.compute(DigestAlgorithm.SHA512, content);
        String id = uploadInThreeRequests(content, registry, anotherNode());
        int done = 2 * (content.length / 3);

        try (UploadSession session = anotherNode().uploads().resume(REPO, id)) {
            session.write(content, done, content.length - done);
            assertThat(session.complete(digest).digest()).isEqualTo(digest);
        }

        assertThat(Files.readAllBytes(file(StoragePaths.blobData(digest)))).isEqualTo(content);
        assertThat(registry.blobs().stat(REPO, digest)).isPresent();
    }

    @Test
    void sha512MismatchStoresNothing() {
        byte[] content = randomBytes(1000);
        Digest wrong = Digest.compute(DigestAlgorithm.SHA512, new byte[] {1});

        try (UploadSession session = registry.uploads().start(REPO)) {
            session.write(content, 0, content.length);
            assertThatThrownBy(() -> session.complete(wrong)).isInstanceOfSatisfying(RegistryException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.DIGEST_INVALID));
        }

        assertThat(file(StoragePaths.BLOBS)).doesNotExist();
    }

    @Test
    void emptyBlobCanBeUploaded() {
        Digest empty = Digest.sha256(new byte[0]);

        try (UploadSession session = registry.uploads().start(REPO)) {
            assertThat(session.complete(empty)).isEqualTo(new BlobDescriptor(empty, 0));
        }

        assertThat(registry.blobs().stat(REPO, empty)).contains(new BlobDescriptor(empty, 0));
    }

    @Test
    void uploadingABlobThatIsAlreadyStoredLinksItAndDropsTheUpload() throws IOException {
        byte[] content = "shared layer".getBytes(StandardCharsets.UTF_8);
        Digest digest = push.blob(RepositoryName.of("other/repo"), content);
        String id;

        try (UploadSession session = registry.uploads().start(REPO)) {
            id = session.id();
            session.write(content, 0, content.length);
            session.complete(digest);
        }

        assertThat(registry.blobs().stat(REPO, digest)).contains(new BlobDescriptor(digest, content.length));
        assertThat(Files.readAllBytes(file(StoragePaths.blobData(digest)))).isEqualTo(content);
        assertThat(file(StoragePaths.uploadDir(REPO, id))).doesNotExist();
    }

    @Test
    void twoUploadsOfTheSameBlobCompletingTogetherBothSucceed() throws Exception {
        byte[] content = randomBytes(500_000);
        Digest digest = Digest.sha256(content);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<BlobDescriptor>> results = pool.invokeAll(List.of(
                    () -> push.blobDescriptor(REPO, content), () -> push.blobDescriptor(RepositoryName.of("other"), content)));
            for (var result : results) {
                assertThat(result.get()).isEqualTo(new BlobDescriptor(digest, content.length));
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(Files.readAllBytes(file(StoragePaths.blobData(digest)))).isEqualTo(content);
        assertThat(registry.blobs().stat(RepositoryName.of("other"), digest)).isPresent();
    }

    @Test
    void startWritesTheStartTimeThatResumeReads() throws IOException {
        UploadSession started = registry.uploads().start(REPO);
        started.close();

        try (UploadSession resumed = anotherNode().uploads().resume(REPO, started.id())) {
            assertThat(resumed.startedAt()).isEqualTo(started.startedAt());
            assertThat(resumed.repository()).isEqualTo(REPO);
            assertThat(resumed.size()).isZero();
        }
        assertThat(Files.readString(file(StoragePaths.uploadStartedAt(REPO, started.id()))))
                .isEqualTo(started.startedAt().toString());
    }

    @Test
    void uploadIdsAreRandomUuids() {
        try (UploadSession a = registry.uploads().start(REPO); UploadSession b = registry.uploads().start(REPO)) {
            assertThat(a.id()).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
            assertThat(a.id()).isNotEqualTo(b.id());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "abc", "../../../blobs", "..", "0d4a1c6e-9c1b-4b5a-8f5e-1234567890AB",
            "0d4a1c6e-9c1b-4b5a-8f5e-1234567890ab/../x", "0d4a1c6e9c1b4b5a8f5e1234567890ab"})
    void malformedUploadIdsAreUnknownUploads(String id) {
        assertThatThrownBy(() -> registry.uploads().resume(REPO, id)).isInstanceOfSatisfying(RegistryException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.BLOB_UPLOAD_UNKNOWN));
        assertThatThrownBy(() -> registry.uploads().cancel(REPO, id)).isInstanceOfSatisfying(RegistryException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.BLOB_UPLOAD_UNKNOWN));
    }

    @Test
    void uploadOfAnotherRepositoryIsUnknown() {
        String id;
        try (UploadSession session = registry.uploads().start(REPO)) {
            id = session.id();
        }

        assertThatThrownBy(() -> registry.uploads().resume(RepositoryName.of("other"), id))
                .isInstanceOfSatisfying(RegistryException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.BLOB_UPLOAD_UNKNOWN));
    }

    @Test
    void cancelDeletesTheUploadAndItIsUnknownAfterwards() {
        String id;
        try (UploadSession session = registry.uploads().start(REPO)) {
            id = session.id();
            session.write(new byte[] {1, 2, 3}, 0, 3);
        }

        anotherNode().uploads().cancel(REPO, id);

        assertThat(file(StoragePaths.uploadDir(REPO, id))).doesNotExist();
        assertThatThrownBy(() -> registry.uploads().resume(REPO, id)).isInstanceOfSatisfying(RegistryException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.BLOB_UPLOAD_UNKNOWN));
        assertThatThrownBy(() -> registry.uploads().cancel(REPO, id)).isInstanceOfSatisfying(RegistryException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.BLOB_UPLOAD_UNKNOWN));
    }

    @Test
    void sessionRefusesWritesAfterComplete() {
        Digest digest = Digest.sha256(new byte[] {1});
        try (UploadSession session = registry.uploads().start(REPO)) {
            session.write(new byte[] {1}, 0, 1);
            session.complete(digest);
            assertThatThrownBy(() -> session.write(new byte[] {2}, 0, 1)).isInstanceOf(IllegalStateException.class);
        }
    }

    static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
