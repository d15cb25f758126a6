package dev.fleetmirror.storage.s3;

import dev.fleetmirror.core.storage.StorageDriver;
import dev.fleetmirror.core.storage.StorageDriverContract;
import dev.fleetmirror.storage.s3.testing.S3ProxyProcess;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** The backend-neutral driver contract, on a real S3 endpoint (S3Proxy, filesystem backend). */
class S3StorageDriverTest extends StorageDriverContract {
    static final String BUCKET = "contract";

    @TempDir
    static Path workDir;
    static S3ProxyProcess s3proxy;

    @BeforeAll
    static void startS3Proxy() {
        s3proxy = S3ProxyProcess.start(workDir);
        s3proxy.createBucket(BUCKET);
    }

    @AfterAll
    static void stopS3Proxy() {
        if (s3proxy != null) {
            s3proxy.close();
        }
    }

    @Override
    protected StorageDriver createDriver() {
        // Smallest parts S3 allows, so the contract's multi-MiB writes cross part boundaries.
        return S3StorageDriver.open(s3proxy.config(BUCKET).withChunkSizes(
                S3StorageConfig.MIN_CHUNK_SIZE, S3StorageConfig.MIN_CHUNK_SIZE, S3StorageConfig.MIN_CHUNK_SIZE));
    }
}
