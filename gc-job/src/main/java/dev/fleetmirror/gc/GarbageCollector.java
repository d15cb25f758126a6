package dev.fleetmirror.gc;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.storage.RequestTally;
import dev.fleetmirror.core.storage.PathNotFoundException;
import dev.fleetmirror.core.storage.StorageDriver;
import dev.fleetmirror.core.storage.StoragePaths;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import dev.fleetmirror.gc.mark.MarkState;
import dev.fleetmirror.gc.mark.ReferenceIndex;
import dev.fleetmirror.gc.mark.RepositoryListing;
import java.util.Collection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mark and sweep over any {@link StorageDriver}, in Distribution's layout, in two phases.
 *
 * <p>{@link #mark()} runs while the registry is read-write: every manifest revision of every
 * repository is kept (with {@code deleteUntagged}, only those a tag reaches, plus the children of
 * a kept index and the referrers of a kept subject, to a fixed point); a kept manifest marks
 * itself, its config, its layers and its children. Revisions and layers are known from key
 * listings; what a manifest references comes from the {@link ReferenceIndex}, so only manifests
 * never seen before are read. Then the blobs are listed: the unmarked ones older than the grace
 * window (and not written since {@code sparedSince}) are the candidates.
 *
 * <p>{@link #sweep} ({@link Sweep}) runs in the read-only window: it marks again from the paths the cluster's
 * journal recorded while the mark ran (links and blob data written meanwhile), unlinks the
 * untagged manifests the journal did not save, and deletes the candidates still unmarked, with
 * the layer links that point at them, in batches. gc-job/GC-PROTOCOL.md says why nothing an
 * acknowledged manifest references is lost. {@link #run()} does both at once, for the offline CLI.
 */
public final class GarbageCollector {
    private static final Logger LOG = LoggerFactory.getLogger(GarbageCollector.class);
    static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");
    static final String SHA256 = "sha256";
    /**
     * From this many marked blobs on, the blob listing is split by first-level directory: 256
     * listings cost more requests than one flat listing of a small registry (10,000 blobs: 10 pages),
     * about as many as a flat one from 256,000 blobs on, and they run in parallel.
     */
    static final int SHARDED_BLOB_LISTING = 50_000;

    /**
     * @param grace       unreferenced blobs younger than this are kept; zero sweeps them all
     * @param parallelism storage requests in flight
     * @param sparedSince blobs whose data or a layer link was written at or after this instant are
     *                    kept this run (the previous run's window close: a push between that and
     *                    this run's mark may still be on its way to its manifest)
     */
    public record Options(boolean dryRun, boolean deleteUntagged, Duration grace, int parallelism,
                          Optional<Instant> sparedSince) {
        public Options {
            if (grace.isNegative()) {
                throw new IllegalArgumentException("negative grace window");
            }
            if (parallelism < 1) {
                throw new IllegalArgumentException("parallelism < 1");
            }
        }

        public Options(boolean dryRun, boolean deleteUntagged, Duration grace, int parallelism) {
            this(dryRun, deleteUntagged, grace, parallelism, Optional.empty());
        }
    }

    /** Hears what the collection does, as it does it. Called from the collector's threads. */
    public interface Listener {
        default void phase(String phase) {
        }

        /** A blob that is (in a dry run: would be) deleted. */
        default void eligible(Digest blob) {
        }

        /** An unreferenced blob kept because it is younger than the grace window. */
        default void spared(Digest blob, Duration age) {
        }

        /** An untagged manifest that is (would be) unlinked. */
        default void manifestEligible(RepositoryName repository, Digest manifest) {
        }
    }

    /**
     * The pushes in flight on a live registry, asked just before the deletes: the blobs about to
     * go are published (a push's HEAD then finds them unknown), and those a push was told of within
     * its window are kept. Offline, nobody pushes.
     */
    public interface Pushes {
        Pushes NONE = hexes -> Set.of();

        /** Publishes {@code hexes} as being deleted; answers those to keep. */
        Set<String> doom(List<String> hexes);
    }

    private final StorageDriver storage;
    private final Options options;
    private final Clock clock;
    private final Listener listener;
    private final RequestTally requests = new RequestTally();
    private final int shardedListingFrom;

    public GarbageCollector(StorageDriver storage, Options options, Clock clock, Listener listener) {
        this(storage, options, clock, listener, SHARDED_BLOB_LISTING);
    }

    /** @param shardedListingFrom marked blobs from which the blob listing is split (tests lower it) */
    GarbageCollector(StorageDriver storage, Options options, Clock clock, Listener listener, int shardedListingFrom) {
        this.storage = storage;
        this.options = options;
        this.clock = clock;
        this.listener = listener;
        this.shardedListingFrom = shardedListingFrom;
    }

    /** Mark and sweep at once: for a registry nothing writes to (offline, or read-only). */
    public GcReport run() throws InterruptedException {
        return sweep(mark(), List.of(), Pushes.NONE);
    }

    /** The storage requests this collector sent so far, by kind (those the driver counts: S3's). */
    public RequestTally requests() {
        return requests;
    }

    private <T> T pooled(PoolWork<T> work) throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(options.parallelism(), runnable -> {
            Thread thread = new Thread(() -> {
                requests.bind();
                runnable.run();
            }, "fleetmirror-gc-worker");
            thread.setDaemon(true);
            return thread;
        });
        requests.bind();
        try {
            return work.run(pool);
        } finally {
            RequestTally.unbind();
            pool.shutdownNow();
        }
    }

    private interface PoolWork<T> {
        T run(ExecutorService pool) throws InterruptedException;
    }

    // ---- mark, while read-write ----

    /** Marks from key listings and the reference index, then lists the blobs: nothing is deleted. */
    public MarkState mark() throws InterruptedException {
        return pooled(this::mark);
    }

    private MarkState mark(ExecutorService pool) throws InterruptedException {
        listener.phase("mark");
        long started = System.nanoTime();
        RepositoryListing listing = RepositoryListing.of(storage, pool);
        MarkState state = new MarkState(List.copyOf(listing.revisions().keySet()), ReferenceIndex.load(storage));
        AtomicLong manifestsMarked = new AtomicLong();
        all(pool, state.repositories.stream().<Callable<Void>>map(repo -> () -> {
            markRepository(repo, listing.revisions().get(repo), listing.tags().getOrDefault(repo, Set.of()), state,
                    manifestsMarked);
            return null;
        }).toList());
        state.manifestsMarked = manifestsMarked.get();
        Instant now = clock.instant();
        // A paginated listing of every blob: sizes and times come with it. One flat listing costs the
        // fewest requests; a large registry's is split by the 256 first-level directories, walked in
        // parallel, because a backend that answers each page by walking the whole prefix again
        // (S3Proxy's filesystem store) makes one flat listing quadratic: 100,000 blobs took 10 s a page.
        AtomicLong spared = new AtomicLong();
        java.util.function.Consumer<dev.fleetmirror.core.storage.FileInfo> visit = file -> {
            if (!file.path().endsWith("/data")) {
                return;
            }
            String hex = blobHex(file.path());
            if (!HEX.matcher(hex).matches() || state.marked.contains(hex)) {
                return;
            }
            state.unmarkedPresent.add(hex);
            Duration age = Duration.between(file.modifiedAt(), now);
            boolean young = !options.grace().isZero() && age.compareTo(options.grace()) < 0;
            boolean sinceLastRun = options.sparedSince().isPresent() && !file.modifiedAt().isBefore(options.sparedSince().get());
            if (young || sinceLastRun) {
                spared.incrementAndGet();
                listener.spared(Digest.parse(SHA256 + ":" + hex), age);
                return;
            }
            state.candidate(hex, file.size());
        };
        String blobs = StoragePaths.BLOBS + "/" + SHA256;
        if (state.marked.size() < shardedListingFrom) {
            storage.walk(blobs, visit);
        } else {
            List<Callable<Void>> shards = new ArrayList<>();
            for (int shard = 0; shard < 256; shard++) {
                String dir = blobs + "/" + String.format("%02x", shard);
                shards.add(() -> {
                    storage.walk(dir, visit);
                    return null;
                });
            }
            all(pool, shards);
        }
        // Layer links: recent ones keep their blob this run; those to unmarked blobs may go with them.
        // With no candidate, no blob goes and no link with it: a repeat run with nothing new skips them
        // (a link to a blob that is missing altogether waits for a run that has candidates).
        AtomicLong recent = new AtomicLong();
        all(pool, state.candidates().size() == 0 ? List.<Callable<Void>>of() : state.repositories.stream().<Callable<Void>>map(repo -> () -> {
            storage.walk(StoragePaths.layersDir(repo) + "/" + SHA256, link -> {
                String hex = blobHex(link.path());
                if (!HEX.matcher(hex).matches()) {
                    return;
                }
                if (options.sparedSince().isPresent() && !link.modifiedAt().isBefore(options.sparedSince().get())) {
                    if (state.marked.add(hex)) {
                        recent.incrementAndGet();
                    }
                } else if (!state.marked.contains(hex)) {
                    state.unmarkedLinks.add(link.path());
                }
            });
            return null;
        }).toList());
        state.blobsSpared = spared.get();
        state.blobsRecent = recent.get();
        if (!options.dryRun()) {
            state.index.save();
        }
        state.markMillis = (System.nanoTime() - started) / 1_000_000;
        LOG.info("gc mark: {} repositories, {} manifests kept ({} read, {} indexed), {} blobs referenced, {} candidates,"
                        + " {} spared, in {} ms", state.repositories.size(), state.manifestsMarked, state.index.manifestsRead(),
                state.index.size(), state.marked.size(), state.candidates().size(), state.blobsSpared, state.markMillis);
        return state;
    }

    private void markRepository(RepositoryName repo, Set<Digest> revisions, Set<String> tags, MarkState state,
                                AtomicLong manifestsMarked) {
        Set<Digest> kept = options.deleteUntagged() ? reachableFromTags(repo, revisions, tags, state.index) : revisions;
        for (Digest manifest : kept) {
            manifestsMarked.incrementAndGet();
            markManifest(manifest, state);
        }
        List<Digest> untagged = new ArrayList<>();
        for (Digest revision : revisions) {
            if (!kept.contains(revision)) {
                untagged.add(revision);
            }
        }
        if (!untagged.isEmpty()) {
            state.untagged.put(repo, untagged);
        }
    }

    /** Marks a kept manifest and what it names; false when it was marked already. */
    static void markManifest(Digest manifest, MarkState state) {
        state.marked.add(manifest.hex());
        state.index.references(manifest).ifPresent(refs -> {
            refs.markBlobs(state.marked);
            refs.markChildren(state.marked);
        });
    }

    /** Tagged manifests, the children of kept indexes and the referrers of kept subjects, to a fixed point. */
    private Set<Digest> reachableFromTags(RepositoryName repo, Set<Digest> revisions, Set<String> tags, ReferenceIndex index) {
        Set<Digest> kept = new HashSet<>();
        for (String tag : tags) {
            String tagDir = StoragePaths.tagsDir(repo) + "/" + tag;
            try {
                Digest tagged = Digest.parse(new String(storage.getContent(tagDir + "/current/link"), StandardCharsets.US_ASCII).trim());
                if (revisions.contains(tagged)) {
                    kept.add(tagged);
                }
            } catch (PathNotFoundException e) {
                // a tag being written or deleted
            } catch (RuntimeException e) {
                LOG.warn("gc: unreadable tag link {}: {}", tagDir, e.getMessage());
            }
        }
        return index.closure(kept, revisions);
    }

    // ---- sweep, in the read-only window ----

    /**
     * Marks again from the journal's paths (links and blob data written while the mark ran), then
     * unlinks and deletes what is still unreferenced. Runs while nothing writes.
     */
    public GcReport sweep(MarkState state, Collection<String> journal, Pushes pushes) throws InterruptedException {
        return pooled(pool -> new Sweep(storage, options, listener, requests).run(pool, state, journal, pushes));
    }

    /** The hex of {@code .../<hex>/data} or {@code .../<hex>/link}. */
    static String blobHex(String path) {
        int end = path.lastIndexOf('/');
        return path.substring(path.lastIndexOf('/', end - 1) + 1, end);
    }

    // ---- storage helpers ----

    static <T> List<T> all(ExecutorService pool, List<Callable<T>> tasks) throws InterruptedException {
        List<Future<T>> futures = pool.invokeAll(tasks);
        List<T> results = new ArrayList<>(futures.size());
        for (Future<T> future : futures) {
            try {
                results.add(future.get());
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof RuntimeException runtime) {
                    throw runtime;
                }
                throw new IllegalStateException(cause);
            }
        }
        return results;
    }
}
