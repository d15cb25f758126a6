package dev.fleetmirror.storage.s3;

import dev.fleetmirror.core.storage.StorageException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The bucket the driver works in: the client, the bucket name, the key layout and the error
 * translation, shared by the driver and the classes it delegates to.
 */
final class Bucket {
    final S3Client s3;
    final String name;
    final S3Keys keys;
    final S3StorageConfig config;
    /** Sends parts in the background while writers go on receiving; one part in flight per writer. */
    final ExecutorService partUploads;
    private final S3Failures failures;

    Bucket(S3Client s3, S3StorageConfig config) {
        this.s3 = s3;
        this.name = config.bucket();
        this.keys = new S3Keys(config.rootDirectory());
        this.config = config;
        this.partUploads = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "fleetmirror-s3-part-upload");
            thread.setDaemon(true);
            return thread;
        });
        this.failures = new S3Failures(config.regionEndpoint().map(Object::toString).orElse("AWS S3 " + config.region()),
                config.bucket());
    }

    /** Runs one S3 call, translating SDK failures into the SPI's typed errors. */
    <T> T call(String operation, String path, Supplier<T> request) {
        dev.fleetmirror.core.storage.RequestTally.count(operation);
        try {
            return request.get();
        } catch (SdkException e) {
            throw failures.translate(operation, path, e);
        }
    }

    void run(String operation, String path, Runnable request) {
        call(operation, path, () -> {
            request.run();
            return null;
        });
    }

    StorageException failure(String operation, String path, SdkException e) {
        return failures.translate(operation, path, e);
    }
}
