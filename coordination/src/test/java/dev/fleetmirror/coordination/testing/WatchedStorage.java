package dev.fleetmirror.coordination.manifest;

import dev.fleetmirror.core.storage.DelegatingStorageDriver;
import dev.fleetmirror.core.storage.FileInfo;
import dev.fleetmirror.core.storage.StorageDriver;
import java.io.InputStream;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A real driver that records every path a member reads (each a storage round trip on S3), and can
 * hold one read's answer back until the test lets it go, to line a read up against a write.
 */
final class WatchedStorage extends DelegatingStorageDriver {
    private final Queue<String> reads = new ConcurrentLinkedQueue<>();
    private volatile String heldPath;
    private volatile CountDownLatch readDone;
    private volatile CountDownLatch release;

    WatchedStorage(StorageDriver real) {
        super(real);
    }

    /** How many reads went to storage so far. */
    int reads() {
        return reads.size();
    }

    List<String> readPaths() {
        return List.copyOf(reads);
    }

    /**
     * The next read of {@code path} happens, then waits for {@code release} before answering;
     * {@code readDone} opens once it has read.
     */
    void holdNextRead(String path, CountDownLatch readDone, CountDownLatch release) {
        this.readDone = readDone;
        this.release = release;
        this.heldPath = path;
    }

    @Override
    public byte[] getContent(String path) {
        reads.add(path);
        byte[] content = real.getContent(path);
        if (path.equals(heldPath)) {
            heldPath = null;
            readDone.countDown();
            try {
                if (!release.await(10, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the test never released the read of " + path);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return content;
    }

    @Override
    public InputStream reader(String path, long offset) {
        reads.add(path);
        return real.reader(path, offset);
    }

    @Override
    public FileInfo stat(String path) {
        reads.add(path);
        return real.stat(path);
    }

    @Override
    public List<String> list(String path) {
        reads.add(path);
        return real.list(path);
    }
}
