package dev.fleetmirror.core.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FilesystemDriverTest extends StorageDriverContract {

    @TempDir
    Path root;

    @Override
    protected StorageDriver createDriver() {
        return new FilesystemDriver(root);
    }

    @Test
    void pathsMapOntoTheSameRelativePathUnderTheRoot() throws IOException {
        driver.putContent("/docker/registry/v2/blobs/sha256/ab/abc/data", bytes("blob"));

        assertThat(Files.readString(root.resolve("docker/registry/v2/blobs/sha256/ab/abc/data"))).isEqualTo("blob");
    }

    @Test
    void localFileIsTheFileUnderTheRootAndEmptyWhenAbsent() {
        driver.putContent(base + "/data", bytes("blob"));

        assertThat(driver.localFile(base + "/data")).contains(root.resolve(base.substring(1) + "/data").toAbsolutePath());
        assertThat(driver.localFile(base + "/missing")).isEmpty();
    }

    @Test
    void putContentLeavesNoTemporaryFilesBehind() throws IOException {
        driver.putContent(base + "/dir/link", bytes("one"));
        driver.putContent(base + "/dir/link", bytes("two"));

        try (var files = Files.list(root.resolve(base.substring(1) + "/dir"))) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("link");
        }
    }

    @Test
    void concurrentReadersNeverSeeAHalfReplacedFile() throws Exception {
        byte[] first = new byte[256 * 1024];
        byte[] second = new byte[128 * 1024];
        Arrays.fill(first, (byte) 1);
        Arrays.fill(second, (byte) 2);
        String path = base + "/link";
        driver.putContent(path, first);
        ExecutorService writer = Executors.newSingleThreadExecutor();
        try {
            Future<?> writes = writer.submit(() -> {
                for (int i = 0; i < 200; i++) {
                    driver.putContent(path, i % 2 == 0 ? second : first);
                }
            });
            while (!writes.isDone()) {
                byte[] read = driver.getContent(path);
                assertThat(read).satisfiesAnyOf(r -> assertThat(r).isEqualTo(first), r -> assertThat(r).isEqualTo(second));
            }
            writes.get();
        } finally {
            writer.shutdownNow();
        }
    }

    @Test
    void readingAPathThroughAFileComponentIsPathNotFound() {
        driver.putContent(base + "/file", bytes("x"));

        assertThatThrownBy(() -> driver.getContent(base + "/file/child")).isInstanceOf(PathNotFoundException.class);
        assertThatThrownBy(() -> driver.list(base + "/file")).isInstanceOf(PathNotFoundException.class);
    }

    @Test
    void aSymbolicLinkAtTheRootIsFollowedOnlyToTheRealRoot() throws IOException {
        Path real = Files.createDirectories(root.resolve("real"));
        Path link = Files.createSymbolicLink(root.resolve("link"), real);
        FilesystemDriver viaLink = new FilesystemDriver(link);

        viaLink.putContent("/file", bytes("x"));

        assertThat(viaLink.root()).isEqualTo(real.toRealPath());
        assertThat(Files.readString(real.resolve("file"))).isEqualTo("x");
    }
}
