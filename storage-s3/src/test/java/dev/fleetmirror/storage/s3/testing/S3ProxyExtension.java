package dev.fleetmirror.storage.s3.testing;

import dev.fleetmirror.storage.s3.S3StorageConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * S3Proxy with one bucket for a whole test class, registered as a static {@code @RegisterExtension}
 * field: it starts before any {@code @BeforeAll} method (a superclass's included) and stops, by its
 * process id, after every {@code @AfterAll}.
 */
public final class S3ProxyExtension implements BeforeAllCallback, AfterAllCallback {
    private final String bucket;
    private Path workDir;
    private S3ProxyProcess process;

    public S3ProxyExtension(String bucket) {
        this.bucket = bucket;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        workDir = Files.createTempDirectory("fleetmirror-s3proxy-");
        process = S3ProxyProcess.start(workDir);
        process.createBucket(bucket);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        try {
            if (process != null) {
                process.close();
            }
        } finally {
            deleteRecursively(workDir);
        }
    }

    public S3ProxyProcess process() {
        return process;
    }

    public String bucket() {
        return bucket;
    }

    /** A driver config for the bucket; {@code rootDirectory} keeps test classes apart if they share one. */
    public S3StorageConfig config() {
        return process.config(bucket);
    }

    private static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
