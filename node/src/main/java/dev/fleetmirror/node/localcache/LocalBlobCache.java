package dev.fleetmirror.node.localcache;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.digest.DigestAlgorithm;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.channels.Channels;
import dev.fleetmirror.node.fill.Spool;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.security.MessageDigest;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies of blobs on the node's own disk, in at most {@code maxBytes}: a blob served from remote
 * storage is copied here once (hashed on the way: a copy whose bytes do not match its digest is
 * dropped), the requests that want it meanwhile tail that copy's {@link Spool} instead of reading
 * storage themselves, and later requests are sent from the file. When full, the least recently
 * served copies are removed; a removed file is deleted only after a delay, so that a response
 * already sending it finishes. Files are named by digest, so what a restart finds is reused.
 *
 * <p>One node uses a directory at a time (a lock file says which): two caches evicting each other's
 * files would send files that vanish mid-response. A node finding the directory locked (a second
 * node on the machine with the default directory) runs without the tier and says so.
 */
public final class LocalBlobCache implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalBlobCache.class);
    private static final long DELETE_DELAY_SECONDS = 300;
    private static final int COPY_BUFFER = 256 * 1024;
    /** Blobs copied at once; a request for another one meanwhile streams from storage. */
    private static final int COPIES_AT_ONCE = 16;

    private record Entry(Path file, long size, AtomicLong lastUse) {
    }

    private final Path root;
    private final long maxBytes;
    private final Map<Digest, Entry> entries = new ConcurrentHashMap<>();
    /** Copies in progress, each tailed by the requests that asked for the blob meanwhile. */
    private final Map<Digest, Spool> copying = new ConcurrentHashMap<>();
    private final AtomicLong total = new AtomicLong();
    private final ExecutorService copiers;
    private final ScheduledExecutorService deleter;
    private final AtomicLong clock = new AtomicLong();
    private final FileChannel lockFile;

    /** The cache in {@code root}, or empty (with a warning) when another node uses that directory. */
    public static Optional<LocalBlobCache> open(Path root, long maxBytes) {
        try {
            return Optional.of(new LocalBlobCache(root, maxBytes));
        } catch (DirectoryInUse e) {
            LOG.warn("local blob cache {} is in use by another node; this node runs without a local tier"
                    + " (give each node its own localcache.directory)", root);
            return Optional.empty();
        }
    }

    /** @throws DirectoryInUse when another cache, in this process or another, holds {@code root} */
    public LocalBlobCache(Path root, long maxBytes) {
        this.root = root;
        this.maxBytes = maxBytes;
        try {
            Files.createDirectories(root.resolve("tmp"));
            this.lockFile = lock(root);
            scan();
        } catch (IOException e) {
            throw new UncheckedIOException("local cache " + root + ": " + e.getMessage(), e);
        }
        // Requests wait on copies, so a copy does not queue behind others: past the bound, it is not made.
        this.copiers = new ThreadPoolExecutor(0, COPIES_AT_ONCE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
                daemon("fleetmirror-localcache-copy"));
        this.deleter = Executors.newSingleThreadScheduledExecutor(daemon("fleetmirror-localcache-delete"));
        evict();
        LOG.info("local blob cache in {}: {} blobs, {} MB of at most {} MB", root, entries.size(), total.get() / 1_000_000,
                maxBytes / 1_000_000);
    }

    /** Thrown when another node's cache holds the directory. */
    public static final class DirectoryInUse extends IllegalStateException {
        DirectoryInUse(Path root) {
            super("local cache directory " + root + " is in use");
        }
    }

    private static FileChannel lock(Path root) throws IOException {
        FileChannel channel = FileChannel.open(root.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException sameProcess) {
            lock = null;
        }
        if (lock == null) {
            channel.close();
            throw new DirectoryInUse(root);
        }
        return channel;
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    /** Adopts what an earlier run left; unfinished copies are removed. */
    private void scan() throws IOException {
        try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(root.resolve("tmp"))) {
            for (Path file : leftovers) {
                Files.deleteIfExists(file);
            }
        }
        for (DigestAlgorithm algorithm : DigestAlgorithm.values()) {
            Path dir = root.resolve(algorithm.prefix());
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
                for (Path file : files) {
                    String hex = file.getFileName().toString();
                    if (!Digest.isDigest(algorithm.prefix() + ":" + hex)) {
                        continue;
                    }
                    long size = Files.size(file);
                    entries.put(Digest.parse(algorithm.prefix() + ":" + hex),
                            new Entry(file, size, new AtomicLong(Files.getLastModifiedTime(file).toMillis())));
                    total.addAndGet(size);
                }
            }
        }
        clock.set(System.currentTimeMillis());
    }

    /** The local copy of {@code digest}, marked as just used. */
    public Optional<Path> file(Digest digest) {
        Entry entry = entries.get(digest);
        if (entry == null) {
            return Optional.empty();
        }
        entry.lastUse().set(clock.incrementAndGet());
        return Optional.of(entry.file());
    }

    /**
     * Copies the blob in the background, unless it is here or being copied. A blob larger than a
     * quarter of the cache is not kept (the copy stops there).
     *
     * @param open the blob's bytes from storage
     */
    public void offer(Digest digest, Callable<InputStream> open) {
        synchronized (this) {
            if (!entries.containsKey(digest) && !copying.containsKey(digest)) {
                start(digest, -1, open);
            }
        }
    }

    /**
     * Keeps the verified content of a fill that just ended here as the blob's copy, written anew from
     * the fill's spool on a copier, so the first warm GETs after a cold pull send it from local disk
     * instead of reading storage again. Takes a reader of the spool first, which keeps its file until
     * the copy is written: call it before the fill's spool is retired. Does not block; skipped when
     * the blob is here or being copied, is larger than a quarter of the cache, or every copier is busy.
     */
    public void adopt(Digest digest, Spool verified) {
        synchronized (this) {
            long size = verified.written();
            if (entries.containsKey(digest) || copying.containsKey(digest) || !verified.isComplete()
                    || size > maxBytes / 4) {
                return;
            }
            InputStream held = verified.reader(0);
            try {
                copiers.execute(() -> {
                    try (held) {
                        keep(digest, size, verified);
                    } catch (Throwable e) {
                        LOG.debug("no local copy of {} from its fill: {}", digest, e.toString());
                    }
                });
            } catch (RejectedExecutionException busyOrClosed) {
                closeQuietly(held);
            }
        }
    }

    /** Writes a complete spool's content as the blob's copy and counts it. */
    private void keep(Digest digest, long size, Spool complete) throws IOException {
        Path target = root.resolve(digest.algorithm().prefix()).resolve(digest.hex());
        Files.createDirectories(target.getParent());
        complete.copyTo(target);
        synchronized (this) {
            // A copy from storage and one from a fill may both finish: the file is the same, counted once.
            if (entries.put(digest, new Entry(target, size, new AtomicLong(clock.incrementAndGet()))) == null) {
                total.addAndGet(size);
            }
        }
        evict();
    }

    /**
     * The blob's bytes from {@code offset}, read from local disk: from the copy when there is one,
     * else by tailing the copy in progress, started now when there is none. So however many
     * requests want a blob at once, storage is read once; each reader gets the bytes as the copy
     * writes them, the last one only once the copy matched its digest (a copy that fails breaks its
     * readers' streams, with a {@link CorruptCopy} as the cause when the bytes were wrong). Blocks
     * briefly (a file is created); call on a worker.
     *
     * @param size the blob's size, as the repository's link says
     * @param open the blob's whole bytes from storage, opened at most once, on a copier thread
     * @return empty when no copy can be made: the blob is larger than a quarter of the cache, as many
     *         copies as allowed are running, or the local disk refuses the file
     */
    public Optional<InputStream> read(Digest digest, long size, long offset, Callable<InputStream> open) {
        synchronized (this) {
            Entry entry = entries.get(digest);
            if (entry != null) {
                entry.lastUse().set(clock.incrementAndGet());
                try {
                    FileChannel file = FileChannel.open(entry.file(), StandardOpenOption.READ);
                    return Optional.of(Channels.newInputStream(file.position(offset)));
                } catch (IOException evictedMeanwhile) {
                    return Optional.empty();
                }
            }
            Spool spool = copying.get(digest);
            if (spool == null) {
                if (size > maxBytes / 4) {
                    return Optional.empty();
                }
                spool = start(digest, size, open);
            }
            return spool == null ? Optional.empty() : Optional.of(spool.reader(offset));
        }
    }

    /** The copy's spool, or null when it cannot start. Called holding this cache's lock. */
    private Spool start(Digest digest, long size, Callable<InputStream> open) {
        Spool spool;
        try {
            spool = Spool.create(root.resolve("tmp"));
        } catch (RuntimeException e) {
            LOG.debug("no local copy of {}: {}", digest, e.toString());
            return null;
        }
        copying.put(digest, spool);
        try {
            copiers.execute(() -> copy(digest, size, spool, open));
            return spool;
        } catch (RejectedExecutionException busyOrClosed) {
            copying.remove(digest);
            spool.retire();
            return null;
        }
    }

    /** On a copier: storage's bytes into the spool; verified, the spool's file becomes the copy. */
    private void copy(Digest digest, long size, Spool spool, Callable<InputStream> open) {
        long limit = size >= 0 ? size : maxBytes / 4;
        try {
            MessageDigest hash = digest.algorithm().newMessageDigest();
            long copied = 0;
            try (InputStream in = open.call()) {
                byte[] buffer = new byte[COPY_BUFFER];
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    copied += n;
                    if (copied > limit) {
                        throw new IOException(size >= 0 ? "storage holds more than the " + size + " bytes of " + digest
                                : digest + " is larger than a quarter of the local cache; not kept");
                    }
                    hash.update(buffer, 0, n);
                    spool.append(buffer, 0, n);
                }
            }
            Digest actual = Digest.of(digest.algorithm(), hash.digest());
            if (!actual.equals(digest)) {
                throw new CorruptCopy("storage returned bytes hashing to " + actual + " for " + digest);
            }
            spool.complete();
            keep(digest, copied, spool);
        } catch (CorruptCopy e) {
            LOG.warn("{}; not kept on local disk", e.getMessage());
            spool.fail(e);
        } catch (Throwable e) {
            LOG.debug("no local copy of {}: {}", digest, e.toString());
            spool.fail(e);
        } finally {
            synchronized (this) {
                copying.remove(digest, spool);
                spool.retire();
            }
        }
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException e) {
            // Closing a spool reader only counts it out.
        }
    }

    /** Why a copy was dropped when storage's bytes did not match their digest. */
    static final class CorruptCopy extends IOException {
        CorruptCopy(String message) {
            super(message);
        }
    }

    /** Removes the least recently used copies until the cache fits. */
    private synchronized void evict() {
        if (total.get() <= maxBytes) {
            return;
        }
        List<Map.Entry<Digest, Entry>> byAge = entries.entrySet().stream()
                .sorted(Comparator.comparingLong(e -> e.getValue().lastUse().get())).toList();
        for (Map.Entry<Digest, Entry> oldest : byAge) {
            if (total.get() <= maxBytes) {
                break;
            }
            if (entries.remove(oldest.getKey(), oldest.getValue())) {
                total.addAndGet(-oldest.getValue().size());
                Path file = oldest.getValue().file();
                Path doomed = root.resolve("tmp").resolve(file.getFileName() + ".evicted");
                try {
                    Files.move(file, doomed, StandardCopyOption.REPLACE_EXISTING);
                    deleter.schedule(() -> deleteQuietly(doomed), DELETE_DELAY_SECONDS, TimeUnit.SECONDS);
                } catch (IOException | java.util.concurrent.RejectedExecutionException e) {
                    deleteQuietly(file);
                }
            }
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.debug("could not delete {}: {}", file, e.toString());
        }
    }

    /** Bytes held now. */
    public long size() {
        return total.get();
    }

    /** Waits until the copies started so far are done, and takes no more (tests). */
    void drain() throws InterruptedException {
        copiers.shutdown();
        copiers.awaitTermination(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        copiers.shutdownNow();
        deleter.shutdownNow();
        try {
            lockFile.close();
        } catch (IOException e) {
            LOG.debug("could not release the lock of {}: {}", root, e.toString());
        }
    }
}
