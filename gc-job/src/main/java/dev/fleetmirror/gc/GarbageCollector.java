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
import dev.fleetmirror.gc.mark.DigestSet;
import dev.fleetmirror.gc.mark.MarkState;
import dev.fleetmirror.gc.mark.ReferenceIndex;
import dev.fleetmirror.gc.mark.References;
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
 * <p>{@link #sweep} runs in the read-only window: it marks again from the paths the cluster's
 * journal recorded while the mark ran (links and blob data written meanwhile), unlinks the
 * untagged manifests the journal did not save, and deletes the candidates still unmarked, with
 * the layer links that point at them, in batches. gc-job/GC-PROTOCOL.md says why nothing an
 * acknowledged manifest references is lost. {@link #run()} does both at once, for the offline CLI.
 */
public final class GarbageCollector {
    private static final Logger LOG = LoggerFactory.getLogger(GarbageCollector.class);
    private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");
    private static final String SHA256 = "sha256";
    /** Files per delete call at most: what one S3 DeleteObjects request takes. */
    private static final int DELETE_BATCH = 1000;
    /** Fewer per call than this and requests cost more than they save. */
    private static final int MIN_DELETE_BATCH = 50;
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
    private static void markManifest(Digest manifest, MarkState state) {
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
        return pooled(pool -> sweep(pool, state, journal, pushes));
    }

    private GcReport sweep(ExecutorService pool, MarkState state, Collection<String> journal, Pushes pushes)
            throws InterruptedException {
        listener.phase("sweep");
        long started = System.nanoTime();
        long readBefore = state.index.manifestsRead();
        Set<Digest> journaledManifests = remark(state, journal);
        long manifestsUnlinked = unlinkUntagged(state, journaledManifests);
        long remarkMillis = (System.nanoTime() - started) / 1_000_000;

        MarkState.Candidates candidates = state.candidates();
        List<String> unmarked = new ArrayList<>();
        for (int i = 0; i < candidates.size(); i++) {
            if (!state.marked.contains(candidates.digest(i))) {
                unmarked.add(DigestSet.hex(candidates.digest(i)));
            }
        }
        Set<String> pushed = options.dryRun() || unmarked.isEmpty() ? Set.of() : pushes.doom(unmarked);
        List<String> doomed = new ArrayList<>();
        DigestSet deleted = new DigestSet();
        long freed = 0;
        for (int i = 0; i < candidates.size(); i++) {
            long[] digest = candidates.digest(i);
            if (state.marked.contains(digest)) {
                continue;
            }
            String hex = DigestSet.hex(digest);
            if (pushed.contains(hex)) {
                continue; // a push was told of it lately: its manifest may be on its way
            }
            listener.eligible(Digest.parse(SHA256 + ":" + hex));
            deleted.add(digest);
            freed += candidates.bytes(i);
            doomed.add(StoragePaths.BLOBS + "/" + SHA256 + "/" + hex.substring(0, 2) + "/" + hex + "/data");
        }
        deleteAll(pool, doomed);
        List<String> staleLinks = new ArrayList<>();
        for (String link : state.unmarkedLinks) {
            String hex = blobHex(link);
            if (!state.marked.contains(hex) && (deleted.contains(hex) || !state.unmarkedPresent.contains(hex))) {
                staleLinks.add(link);
            }
        }
        deleteAll(pool, staleLinks);
        if (!options.dryRun()) {
            state.index.save();
        }
        long sweepMillis = (System.nanoTime() - started) / 1_000_000;
        LOG.info("gc sweep: {} journaled paths re-marked in {} ms; {} blobs {} ({} bytes), {} spared, {} layer links {};"
                        + " {} untagged manifests {}, in {} ms", journal.size(), remarkMillis, doomed.size(),
                options.dryRun() ? "eligible" : "deleted", freed, state.blobsSpared, staleLinks.size(),
                options.dryRun() ? "eligible" : "deleted", manifestsUnlinked, options.dryRun() ? "eligible" : "unlinked",
                sweepMillis);
        return new GcReport(options.dryRun(), state.repositories.size(), state.manifestsMarked, state.marked.size(),
                manifestsUnlinked, doomed.size(), freed, state.blobsSpared, staleLinks.size(), state.markMillis, sweepMillis,
                state.index.manifestsRead(), state.index.manifestsRead() - readBefore, journal.size(), remarkMillis,
                state.blobsRecent, pushed.size(), requests.snapshot());
    }

    /** Marks what the journal recorded; the manifests it names (revisions and tags written meanwhile). */
    private static Set<Digest> remark(MarkState state, Collection<String> journal) {
        Set<Digest> manifests = new HashSet<>();
        for (String path : journal) {
            if (!path.endsWith("/link") && !path.endsWith("/data")) {
                continue;
            }
            String hex = blobHex(path);
            if (!HEX.matcher(hex).matches()) {
                continue; // a tag's current link: the tag's index link, written before it, names the digest
            }
            if (path.contains("/_manifests/")) {
                manifests.add(Digest.parse(SHA256 + ":" + hex));
            } else {
                state.marked.add(hex);
            }
        }
        Set<Digest> kept = new HashSet<>(manifests);
        List<Digest> untagged = state.untagged.values().stream().flatMap(List::stream).toList();
        kept = state.index.closure(kept, untagged);
        for (Digest manifest : kept) {
            markManifest(manifest, state);
        }
        return kept;
    }

    /** Unlinks the untagged manifests ({@code deleteUntagged}) that nothing written meanwhile saved. */
    private long unlinkUntagged(MarkState state, Set<Digest> saved) {
        long unlinked = 0;
        for (var entry : state.untagged.entrySet()) {
            for (Digest manifest : entry.getValue()) {
                if (saved.contains(manifest)) {
                    continue;
                }
                unlinked++;
                listener.manifestEligible(entry.getKey(), manifest);
                if (!options.dryRun()) {
                    deleteQuietly(StoragePaths.revisionsDir(entry.getKey()) + "/" + SHA256 + "/" + manifest.hex());
                    state.index.references(manifest).flatMap(References::subject).ifPresent(subject -> deleteQuietly(
                            StoragePaths.referrerEntry(entry.getKey(), subject, manifest)));
                }
            }
        }
        return unlinked;
    }

    /** The hex of {@code .../<hex>/data} or {@code .../<hex>/link}. */
    private static String blobHex(String path) {
        int end = path.lastIndexOf('/');
        return path.substring(path.lastIndexOf('/', end - 1) + 1, end);
    }

    /**
     * Deletes in batches spread over the pool (a server works through one batch's keys one by one,
     * so a few large batches would leave most threads idle); nothing in a dry run.
     */
    private void deleteAll(ExecutorService pool, List<String> paths) throws InterruptedException {
        if (options.dryRun() || paths.isEmpty()) {
            return;
        }
        int size = Math.min(DELETE_BATCH, Math.max(MIN_DELETE_BATCH,
                (paths.size() + options.parallelism() - 1) / options.parallelism()));
        List<Callable<Void>> batches = new ArrayList<>();
        for (int from = 0; from < paths.size(); from += size) {
            List<String> batch = paths.subList(from, Math.min(paths.size(), from + size));
            batches.add(() -> {
                storage.deleteFiles(batch);
                return null;
            });
        }
        all(pool, batches);
    }

    // ---- storage helpers ----

    private void deleteQuietly(String path) {
        try {
            storage.delete(path);
        } catch (PathNotFoundException e) {
            // gone already
        }
    }

    private static <T> List<T> all(ExecutorService pool, List<Callable<T>> tasks) throws InterruptedException {
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
