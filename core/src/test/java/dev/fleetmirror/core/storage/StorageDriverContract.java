package dev.fleetmirror.core.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Random;
import java.util.UUID;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The behaviour every {@link StorageDriver} must have, whatever its backend. A backend's test
 * extends this class and supplies a driver; each test works under its own random directory so
 * tests may share one bucket or directory.
 */
public abstract class StorageDriverContract {

    /** A fresh driver for one test. */
    protected abstract StorageDriver createDriver() throws Exception;

    /** Releases what {@link #createDriver()} set up; the driver is closed afterwards. */
    protected void cleanup(StorageDriver driver) throws Exception {
    }

    protected StorageDriver driver;
    /** A directory no other test uses. */
    protected String base;

    @BeforeEach
    void createDriverUnderTest() throws Exception {
        driver = createDriver();
        base = "/contract-" + UUID.randomUUID();
    }

    @AfterEach
    void releaseDriverUnderTest() throws Exception {
        try {
            cleanup(driver);
        } finally {
            driver.close();
        }
    }

    // ---- walk / deleteFiles (bulk work: garbage collection) ----

    @Test
    void walkVisitsEveryFileAtAnyDepthWithItsSize() {
        driver.putContent(base + "/blobs/ab/ab01/data", bytes("12345"));
        driver.putContent(base + "/blobs/cd/cd02/data", bytes("1"));
        driver.putContent(base + "/blobs/cd/cd03/data", bytes("123"));
        driver.putContent(base + "/elsewhere/data", bytes("x"));

        java.util.Map<String, Long> seen = new java.util.TreeMap<>();
        driver.walk(base + "/blobs", info -> seen.put(info.path(), info.size()));

        assertThat(seen).containsExactly(java.util.Map.entry(base + "/blobs/ab/ab01/data", 5L),
                java.util.Map.entry(base + "/blobs/cd/cd02/data", 1L), java.util.Map.entry(base + "/blobs/cd/cd03/data", 3L));
        java.util.List<FileInfo> none = new java.util.ArrayList<>();
        driver.walk(base + "/nothing-here", none::add);
        assertThat(none).isEmpty();
    }

    @Test
    void deleteFilesRemovesThoseFilesOnlySkipsMissingOnesAndEmptiedDirectoriesVanish() {
        driver.putContent(base + "/blobs/ab/ab01/data", bytes("a"));
        driver.putContent(base + "/blobs/ab/ab02/data", bytes("b"));
        driver.putContent(base + "/blobs/cd/cd03/data", bytes("c"));

        driver.deleteFiles(java.util.List.of(base + "/blobs/ab/ab01/data", base + "/blobs/cd/cd03/data",
                base + "/blobs/ef/never/data"));

        assertThat(driver.getContent(base + "/blobs/ab/ab02/data")).isEqualTo(bytes("b"));
        assertThatThrownBy(() -> driver.stat(base + "/blobs/ab/ab01/data")).isInstanceOf(PathNotFoundException.class);
        assertThat(driver.list(base + "/blobs")).containsExactly(base + "/blobs/ab");
        assertThat(driver.list(base + "/blobs/ab")).containsExactly(base + "/blobs/ab/ab02");
    }

    // ---- getContent / putContent ----

    @Test
    void putContentThenGetContentReturnsTheSameBytes() {
        driver.putContent(base + "/a/b/c/link", bytes("sha256:abc"));

        assertThat(driver.getContent(base + "/a/b/c/link")).isEqualTo(bytes("sha256:abc"));
    }

    @Test
    void putContentReplacesExistingContent() {
        driver.putContent(base + "/file", bytes("a much longer first version"));
        driver.putContent(base + "/file", bytes("second"));

        assertThat(driver.getContent(base + "/file")).isEqualTo(bytes("second"));
        assertThat(driver.stat(base + "/file").size()).isEqualTo(6);
    }

    @Test
    void putContentStoresAnEmptyFile() {
        driver.putContent(base + "/empty", new byte[0]);

        assertThat(driver.getContent(base + "/empty")).isEmpty();
        assertThat(driver.stat(base + "/empty").size()).isZero();
    }

    @Test
    void getContentOfMissingFileThrowsPathNotFound() {
        assertThatThrownBy(() -> driver.getContent(base + "/missing"))
                .isInstanceOf(PathNotFoundException.class);
    }

    // ---- reader ----

    @Test
    void readerFromOffsetReturnsTheRest() throws IOException {
        driver.putContent(base + "/file", bytes("0123456789"));

        assertThat(readAll(driver.reader(base + "/file", 0))).isEqualTo(bytes("0123456789"));
        assertThat(readAll(driver.reader(base + "/file", 4))).isEqualTo(bytes("456789"));
    }

    @Test
    void readerAtOffsetEqualToSizeYieldsEmptyStream() throws IOException {
        driver.putContent(base + "/file", bytes("0123456789"));

        assertThat(readAll(driver.reader(base + "/file", 10))).isEmpty();
    }

    @Test
    void readerBeyondSizeThrowsInvalidOffset() {
        driver.putContent(base + "/file", bytes("0123456789"));

        assertThatThrownBy(() -> driver.reader(base + "/file", 11).close())
                .isInstanceOf(InvalidOffsetException.class);
    }

    @Test
    void readerAtNegativeOffsetThrowsInvalidOffset() {
        driver.putContent(base + "/file", bytes("0123456789"));

        assertThatThrownBy(() -> driver.reader(base + "/file", -1).close())
                .isInstanceOf(InvalidOffsetException.class);
    }

    @Test
    void readerOfMissingFileThrowsPathNotFound() {
        assertThatThrownBy(() -> driver.reader(base + "/missing", 0).close())
                .isInstanceOf(PathNotFoundException.class);
    }

    // ---- writer ----

    @Test
    void committedWriterContentIsReadable() throws IOException {
        try (FileWriter writer = driver.writer(base + "/upload/data", false)) {
            writer.write(bytes("hello "));
            writer.write(bytes("xxworldxx"), 2, 5);
            assertThat(writer.size()).isEqualTo(11);
            writer.commit();
        }

        assertThat(driver.getContent(base + "/upload/data")).isEqualTo(bytes("hello world"));
        assertThat(readAll(driver.reader(base + "/upload/data", 6))).isEqualTo(bytes("world"));
        assertThat(driver.stat(base + "/upload/data").size()).isEqualTo(11);
    }

    @Test
    void appendResumesContentClosedWithoutCommitAcrossWriterInstances() {
        String path = base + "/upload/data";
        try (FileWriter first = driver.writer(path, true)) {
            first.write(bytes("abc"));
        }
        try (FileWriter second = driver.writer(path, true)) {
            assertThat(second.size()).isEqualTo(3);
            second.write(bytes("def"));
        }
        try (FileWriter third = driver.writer(path, true)) {
            assertThat(third.size()).isEqualTo(6);
            third.write(bytes("ghi"));
            assertThat(third.size()).isEqualTo(9);
            third.commit();
        }

        assertThat(driver.getContent(path)).isEqualTo(bytes("abcdefghi"));
    }

    @Test
    void appendWithNothingWrittenYetStartsEmpty() {
        String path = base + "/upload/data";
        try (FileWriter writer = driver.writer(path, true)) {
            assertThat(writer.size()).isZero();
            writer.write(bytes("first"));
            writer.commit();
        }

        assertThat(driver.getContent(path)).isEqualTo(bytes("first"));
    }

    @Test
    void appendWriterClosedWithoutWritingKeepsWhatWasThere() {
        String path = base + "/upload/data";
        try (FileWriter first = driver.writer(path, true)) {
            first.write(bytes("abc"));
        }
        try (FileWriter idle = driver.writer(path, true)) {
            assertThat(idle.size()).isEqualTo(3);
        }
        try (FileWriter last = driver.writer(path, true)) {
            assertThat(last.size()).isEqualTo(3);
            last.write(bytes("d"));
            last.commit();
        }

        assertThat(driver.getContent(path)).isEqualTo(bytes("abcd"));
    }

    @Test
    void appendWriterOnANewPathClosedWithoutWritingLeavesAnEmptyUpload() {
        String path = base + "/upload/data";
        try (FileWriter idle = driver.writer(path, true)) {
            assertThat(idle.size()).isZero();
        }
        try (FileWriter next = driver.writer(path, true)) {
            assertThat(next.size()).isZero();
            next.write(bytes("x"));
            next.commit();
        }

        assertThat(driver.getContent(path)).isEqualTo(bytes("x"));
    }

    @Test
    void committingAWriterThatWroteNothingStoresAnEmptyFile() {
        try (FileWriter writer = driver.writer(base + "/empty", true)) {
            writer.commit();
        }

        assertThat(driver.getContent(base + "/empty")).isEmpty();
    }

    @Test
    void writerWithoutAppendStartsEmptyEvenWhenContentWasLeftBehind() {
        String path = base + "/upload/data";
        try (FileWriter first = driver.writer(path, true)) {
            first.write(bytes("stale bytes"));
        }
        try (FileWriter second = driver.writer(path, false)) {
            assertThat(second.size()).isZero();
            second.write(bytes("fresh"));
            second.commit();
        }

        assertThat(driver.getContent(path)).isEqualTo(bytes("fresh"));
    }

    @Test
    void cancelDiscardsEverythingWritten() {
        String path = base + "/upload/data";
        try (FileWriter first = driver.writer(path, true)) {
            first.write(bytes("abc"));
        }
        try (FileWriter second = driver.writer(path, true)) {
            second.write(bytes("def"));
            second.cancel();
        }

        assertThatThrownBy(() -> driver.stat(path)).isInstanceOf(PathNotFoundException.class);
        try (FileWriter third = driver.writer(path, true)) {
            assertThat(third.size()).isZero();
        }
    }

    @Test
    void multiMebibyteWriteIsStreamedAndResumedAtAnUnalignedOffset() throws IOException {
        String path = base + "/upload/data";
        int chunk = 64 * 1024 + 7;
        long total = 7L * 1024 * 1024 + 13;
        long splitAt = 3L * 1024 * 1024 + 1;
        MessageDigest expected = sha256();
        Random random = new Random(42);
        byte[] buffer = new byte[chunk];
        long written = 0;
        FileWriter writer = driver.writer(path, true);
        try {
            while (written < total) {
                if (written >= splitAt && writer.size() <= splitAt) {
                    writer.close();
                    writer = driver.writer(path, true);
                    assertThat(writer.size()).isEqualTo(written);
                }
                int n = (int) Math.min(chunk, Math.min(total - written,
                        written < splitAt ? splitAt - written : Long.MAX_VALUE));
                random.nextBytes(buffer);
                writer.write(buffer, 0, n);
                expected.update(buffer, 0, n);
                written += n;
            }
            assertThat(writer.size()).isEqualTo(total);
            writer.commit();
        } finally {
            writer.close();
        }

        assertThat(driver.stat(path).size()).isEqualTo(total);
        assertThat(sha256Of(driver.reader(path, 0))).isEqualTo(expected.digest());
        try (InputStream tail = driver.reader(path, total - 5)) {
            assertThat(tail.readAllBytes()).hasSize(5);
        }
    }

    // ---- stat ----

    @Test
    void statReportsSizeOfFilesAndKindOfDirectories() {
        driver.putContent(base + "/dir/file", bytes("12345"));

        FileInfo file = driver.stat(base + "/dir/file");
        assertThat(file.path()).isEqualTo(base + "/dir/file");
        assertThat(file.size()).isEqualTo(5);
        assertThat(file.directory()).isFalse();
        assertThat(file.modifiedAt()).isNotNull();
        assertThat(driver.stat(base + "/dir").directory()).isTrue();
    }

    @Test
    void statOfMissingPathThrowsPathNotFound() {
        assertThatThrownBy(() -> driver.stat(base + "/missing")).isInstanceOf(PathNotFoundException.class);
    }

    // ---- list ----

    @Test
    void listReturnsFullPathsOfImmediateChildren() {
        driver.putContent(base + "/dir/a", bytes("a"));
        driver.putContent(base + "/dir/sub/b", bytes("b"));
        driver.putContent(base + "/dir/sub/deeper/c", bytes("c"));
        driver.putContent(base + "/dirx/d", bytes("d"));

        assertThat(driver.list(base + "/dir")).containsExactlyInAnyOrder(base + "/dir/a", base + "/dir/sub");
        assertThat(driver.list(base)).containsExactlyInAnyOrder(base + "/dir", base + "/dirx");
    }

    @Test
    void listOfRootIncludesTopLevelDirectories() {
        driver.putContent(base + "/file", bytes("x"));

        assertThat(driver.list("/")).contains(base);
    }

    @Test
    void listOfMissingDirectoryThrowsPathNotFound() {
        assertThatThrownBy(() -> driver.list(base + "/missing")).isInstanceOf(PathNotFoundException.class);
    }

    @Test
    void listOrEmptyListsAPresentDirectoryAndIsEmptyForAMissingOne() {
        driver.putContent(base + "/dir/a", bytes("a"));

        assertThat(driver.listOrEmpty(base + "/dir")).containsExactly(base + "/dir/a");
        assertThat(driver.listOrEmpty(base + "/missing")).isEmpty();
    }

    // ---- move ----

    @Test
    void moveRelocatesTheFileAndCreatesParents() {
        driver.putContent(base + "/from/file", bytes("content"));

        driver.move(base + "/from/file", base + "/to/deep/file");

        assertThat(driver.getContent(base + "/to/deep/file")).isEqualTo(bytes("content"));
        assertThatThrownBy(() -> driver.stat(base + "/from/file")).isInstanceOf(PathNotFoundException.class);
    }

    @Test
    void moveReplacesTheDestination() {
        driver.putContent(base + "/from", bytes("new"));
        driver.putContent(base + "/to", bytes("old content"));

        driver.move(base + "/from", base + "/to");

        assertThat(driver.getContent(base + "/to")).isEqualTo(bytes("new"));
    }

    @Test
    void moveOfCommittedWriterContentKeepsEveryByte() {
        try (FileWriter writer = driver.writer(base + "/upload/data", true)) {
            writer.write(bytes("uploaded"));
            writer.commit();
        }

        driver.move(base + "/upload/data", base + "/blobs/data");

        assertThat(driver.getContent(base + "/blobs/data")).isEqualTo(bytes("uploaded"));
    }

    @Test
    void moveOfMissingSourceThrowsPathNotFound() {
        assertThatThrownBy(() -> driver.move(base + "/missing", base + "/to"))
                .isInstanceOf(PathNotFoundException.class);
    }

    // ---- delete ----

    @Test
    void deleteRemovesAFile() {
        driver.putContent(base + "/dir/a", bytes("a"));
        driver.putContent(base + "/dir/b", bytes("b"));

        driver.delete(base + "/dir/a");

        assertThatThrownBy(() -> driver.stat(base + "/dir/a")).isInstanceOf(PathNotFoundException.class);
        assertThat(driver.getContent(base + "/dir/b")).isEqualTo(bytes("b"));
    }

    @Test
    void deleteRemovesADirectoryRecursively() {
        driver.putContent(base + "/dir/a", bytes("a"));
        driver.putContent(base + "/dir/sub/b", bytes("b"));
        driver.putContent(base + "/dir/sub/deeper/c", bytes("c"));
        driver.putContent(base + "/dirx/keep", bytes("k"));

        driver.delete(base + "/dir");

        assertThatThrownBy(() -> driver.stat(base + "/dir/sub/deeper/c")).isInstanceOf(PathNotFoundException.class);
        assertThatThrownBy(() -> driver.list(base + "/dir")).isInstanceOf(PathNotFoundException.class);
        assertThat(driver.getContent(base + "/dirx/keep")).isEqualTo(bytes("k"));
    }

    @Test
    void directoriesExistOnlyWhileTheyHoldSomething() {
        driver.putContent(base + "/a/b/c/file", bytes("x"));
        driver.putContent(base + "/a/keep", bytes("k"));

        driver.delete(base + "/a/b/c/file");

        assertThatThrownBy(() -> driver.stat(base + "/a/b")).isInstanceOf(PathNotFoundException.class);
        assertThatThrownBy(() -> driver.list(base + "/a/b")).isInstanceOf(PathNotFoundException.class);
        assertThat(driver.list(base + "/a")).containsExactly(base + "/a/keep");
    }

    @Test
    void deletingADirectoryRemovesParentsItLeavesEmpty() {
        driver.putContent(base + "/a/b/c/file", bytes("x"));

        driver.delete(base + "/a/b");

        assertThatThrownBy(() -> driver.list(base)).isInstanceOf(PathNotFoundException.class);
    }

    @Test
    void movingTheLastFileOutOfADirectoryRemovesIt() {
        driver.putContent(base + "/from/dir/file", bytes("x"));

        driver.move(base + "/from/dir/file", base + "/to/file");

        assertThat(driver.list(base)).containsExactly(base + "/to");
    }

    @Test
    void cancelLeavesNoDirectoryBehind() {
        try (FileWriter writer = driver.writer(base + "/upload/data", true)) {
            writer.write(bytes("abc"));
            writer.cancel();
        }

        assertThatThrownBy(() -> driver.list(base)).isInstanceOf(PathNotFoundException.class);
    }

    @Test
    void deleteOfMissingPathThrowsPathNotFound() {
        assertThatThrownBy(() -> driver.delete(base + "/missing")).isInstanceOf(PathNotFoundException.class);
    }

    // ---- path validation ----

    @ParameterizedTest
    @ValueSource(strings = {"", "relative/path", "/a//b", "/a/./b", "/a/../b", "/..", "/../escape", "/a/",
            "/a\\b", "/a\u0000b", "/a\nb", "/./a"})
    void invalidPathsAreRejectedByEveryOperation(String bad) {
        assertRejected(bad, p -> driver.getContent(p));
        assertRejected(bad, p -> driver.putContent(p, bytes("x")));
        assertRejected(bad, p -> driver.reader(p, 0));
        assertRejected(bad, p -> driver.writer(p, true));
        assertRejected(bad, p -> driver.stat(p));
        assertRejected(bad, p -> driver.list(p));
        assertRejected(bad, p -> driver.move(p, base + "/dest"));
        assertRejected(bad, p -> driver.move(base + "/source", p));
        assertRejected(bad, p -> driver.delete(p));
    }

    @Test
    void rootCannotBeDeletedOrOverwritten() {
        driver.putContent(base + "/keep", bytes("k"));

        assertRejected("/", p -> driver.delete(p));
        assertRejected("/", p -> driver.putContent(p, bytes("x")));
        assertThat(driver.getContent(base + "/keep")).isEqualTo(bytes("k"));
    }

    @Test
    void rejectedPathsChangeNothing() {
        driver.putContent(base + "/a/file", bytes("kept"));

        assertRejected(base + "/a/../a/file", p -> driver.delete(p));
        assertRejected(base + "/b/../a/file", p -> driver.putContent(p, bytes("overwritten")));

        assertThat(driver.getContent(base + "/a/file")).isEqualTo(bytes("kept"));
    }

    private void assertRejected(String path, Consumer<String> operation) {
        assertThatThrownBy(() -> operation.accept(path))
                .as("operation on '%s'", path)
                .isInstanceOf(InvalidPathException.class);
    }

    // ---- helpers ----

    protected static byte[] bytes(String s) {
        return s.getBytes(UTF_8);
    }

    protected static byte[] readAll(InputStream in) throws IOException {
        try (in) {
            return in.readAllBytes();
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] sha256Of(InputStream in) throws IOException {
        MessageDigest digest = sha256();
        byte[] buffer = new byte[64 * 1024];
        try (in) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return digest.digest();
    }
}
