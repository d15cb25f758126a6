package dev.fleetmirror.node.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * The worker pool every storage call runs on. The services in core block (file and S3 I/O), so no
 * call to them may happen on an event loop; a dedicated pool keeps them off Vert.x's default
 * worker pool and lets its size follow the backend's latency rather than the CPU count.
 */
public final class StorageWorkers implements AutoCloseable {
    /** Enough for many concurrent slow S3 round trips; filesystem calls return quickly anyway. */
    public static final int DEFAULT_POOL_SIZE = 32;

    /**
     * Blob downloads in progress at once; more wait for a thread. Each holds its thread (and an S3
     * connection) for its whole length, so they get their own pool: a crowd of slow pulls never
     * starves uploads and metadata calls, and S3's default 64 connections keep some for those.
     */
    public static final int DOWNLOAD_POOL_SIZE = 48;

    private final WorkerExecutor executor;
    private final WorkerExecutor downloads;

    public StorageWorkers(Vertx vertx, int poolSize) {
        // Completing a multi-GiB upload hashes nothing here but may copy on S3: no blocked-thread warnings for that.
        this.executor = vertx.createSharedWorkerExecutor("fleetmirror-storage", poolSize, 10, TimeUnit.MINUTES);
        // A download to a slow client legitimately runs for hours.
        this.downloads = vertx.createSharedWorkerExecutor("fleetmirror-download", DOWNLOAD_POOL_SIZE, 24, TimeUnit.HOURS);
    }

    /** Runs {@code task} on a storage worker; the future completes on the caller's context. */
    public <T> Future<T> run(Callable<T> task) {
        return executor.executeBlocking(RequestId.carried(task), false);
    }

    /** Runs a whole download loop on the download pool; the future completes on the caller's context. */
    public <T> Future<T> download(Callable<T> task) {
        return downloads.executeBlocking(RequestId.carried(task), false);
    }

    /** A queue that runs its tasks one after another, for state that must stay single-threaded. */
    public SerialQueue serial() {
        return new SerialQueue(this);
    }

    @Override
    public void close() {
        downloads.close();
        executor.close();
    }
}
