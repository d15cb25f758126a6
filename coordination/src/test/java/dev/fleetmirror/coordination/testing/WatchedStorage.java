package dev.fleetmirror.coordination.testing;

import dev.fleetmirror.core.storage.DelegatingStorageDriver;
import dev.fleetmirror.core.storage.FileInfo;
import dev.fleetmirror.core.storage.StorageDriver;
import java.io.InputStream;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A real driver that records every path a member reads (each a storage round trip on S3), and can
 * hold one read's answer back until the test lets it go, to line a read up against a write (or
 * concurrent reads up against each other: only one of them is held).
 */
public final class WatchedStorage extends DelegatingStorageDriver {
    private final Queue<String> reads = new ConcurrentLinkedQueue<>();
    private final AtomicReference<String> heldPath = new AtomicReference<>();
    private volatile CountDownLatch readDone;
    private volatile CountDownLatch release;

    public WatchedStorage(StorageDriver real) {
        super(real);
    }

    /** How many reads went to storage so far. */
    public int reads() {
        return reads.size();
    }

    /** How many reads of {@code path} went to storage so far. */
    public long reads(String path) {
        return reads.stream().filter(path::equals).count();
    }

    public List<String> readPaths() {
        return List.copyOf(reads);
    }

    /**
     * The next read of {@code path} happens (found or not), then waits for {@code release} before
     * answering; {@code readDone} opens once it has read.
     */
    public void holdNextRead(String path, CountDownLatch readDone, CountDownLatch release) {
        this.readDone = readDone;
        this.release = release;
        this.heldPath.set(path);
    }

    @Override
    public byte[] getContent(String path) {
        reads.add(path);
        try {
            return real.getContent(path);
        } finally {
            String held = heldPath.get();
            if (path.equals(held) && heldPath.compareAndSet(held, null)) {
                readDone.countDown();
                awaitRelease(path);
            }
        }
    }

    private void awaitRelease(String path) {
        try {
            if (!release.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the test never released the read of " + path);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
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
