package dev.fleetmirror.gc;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.manifest.Descriptor;
import dev.fleetmirror.core.manifest.ManifestParser;
import dev.fleetmirror.core.manifest.ParsedManifest;
import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.storage.FileInfo;
import dev.fleetmirror.core.storage.PathNotFoundException;
import dev.fleetmirror.core.storage.StorageDriver;
import dev.fleetmirror.core.storage.StoragePaths;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mark and sweep over any {@link StorageDriver}, in Distribution's layout.
 *
 * <p><b>Mark</b>: every manifest revision of every repository is kept (with {@code deleteUntagged},
 * only those a tag reaches, plus the children of a kept index and the referrers of a kept subject,
 * to a fixed point); a kept manifest marks itself, its config, its layers and its children.
 * <b>Sweep</b>: every blob not marked is deleted, unless it is younger than the grace window (an
 * upload whose manifest has not arrived yet), and repository layer links to deleted blobs go too.
 *
 * <p>Listing, reading and deleting run on {@code parallelism} threads: on S3 each is a request,
 * and a collection is as fast as requests in flight allow. Nothing is held per blob but its digest.
 * The caller makes sure nothing writes meanwhile (the cluster is read-only) or runs a dry run.
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
     * @param grace       unreferenced blobs younger than this are kept; zero sweeps them all
     * @param parallelism storage requests in flight
     */
    public record Options(boolean dryRun, boolean deleteUntagged, Duration grace, int parallelism) {
        public Options {
            if (grace.isNegative()) {
                throw new IllegalArgumentException("negative grace window");
            }
            if (parallelism < 1) {
                throw new IllegalArgumentException("parallelism < 1");
            }
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

    private final StorageDriver storage;
    private final Options options;
    private final Clock clock;
    private final Listener listener;

    public GarbageCollector(StorageDriver storage, Options options, Clock clock, Listener listener) {
        this.storage = storage;
        this.options = options;
        this.clock = clock;
        this.listener = listener;
    }

    public GcReport run() throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(options.parallelism(), runnable -> {
            Thread thread = new Thread(runnable, "fleetmirror-gc-worker");
            thread.setDaemon(true);
            return thread;
        });
        try {
            return run(pool);
        } finally {
            pool.shutdownNow();
        }
    }

    private GcReport run(ExecutorService pool) throws InterruptedException {
        listener.phase("mark");
        long markStarted = System.nanoTime();
        List<RepositoryName> repositories = repositories(pool);
        Set<String> marked = ConcurrentHashMap.newKeySet();
        AtomicLong manifestsMarked = new AtomicLong();
        AtomicLong manifestsDeleted = new AtomicLong();
        all(pool, repositories.stream().<Callable<Void>>map(repo -> () -> {
            markRepository(repo, marked, manifestsMarked, manifestsDeleted);
            return null;
        }).toList());
        long markMillis = (System.nanoTime() - markStarted) / 1_000_000;
        LOG.info("gc mark: {} repositories, {} manifests kept, {} blobs referenced, {} untagged manifests {} in {} ms",
                repositories.size(), manifestsMarked.get(), marked.size(), manifestsDeleted.get(),
                options.dryRun() ? "eligible" : "unlinked", markMillis);

        listener.phase("sweep");
        long sweepStarted = System.nanoTime();
        AtomicLong freed = new AtomicLong();
        AtomicLong spared = new AtomicLong();
        Set<String> present = ConcurrentHashMap.newKeySet();
        Queue<String> doomed = new ConcurrentLinkedQueue<>();
        Instant now = clock.instant();
        // One walk per two-hex prefix, in parallel: sizes and times come with the listing.
        all(pool, children(StoragePaths.BLOBS + "/" + SHA256).stream().<Callable<Void>>map(prefix -> () -> {
            storage.walk(prefix, file -> sweepCandidate(file, marked, now, present, doomed, freed, spared));
            return null;
        }).toList());
        Set<String> deleted = new HashSet<>();
        for (String path : doomed) {
            deleted.add(blobHex(path));
        }
        long walked = System.nanoTime();
        deleteAll(pool, List.copyOf(doomed));
        long blobsGone = System.nanoTime();
        Queue<String> staleLinks = new ConcurrentLinkedQueue<>();
        all(pool, repositories.stream().<Callable<Void>>map(repo -> () -> {
            storage.walk(StoragePaths.layersDir(repo) + "/" + SHA256, link -> {
                String hex = blobHex(link.path());
                if (HEX.matcher(hex).matches() && !marked.contains(hex) && (deleted.contains(hex) || !present.contains(hex))) {
                    staleLinks.add(link.path());
                }
            });
            return null;
        }).toList());
        deleteAll(pool, List.copyOf(staleLinks));
        LOG.info("gc sweep: blobs listed in {} ms, deleted in {} ms; layer links listed and deleted in {} ms",
                (walked - sweepStarted) / 1_000_000, (blobsGone - walked) / 1_000_000, (System.nanoTime() - blobsGone) / 1_000_000);
        long blobsDeleted = doomed.size();
        long links = staleLinks.size();
        long sweepMillis = (System.nanoTime() - sweepStarted) / 1_000_000;
        LOG.info("gc sweep: {} blobs {} ({} bytes), {} spared by the grace window, {} layer links {} in {} ms",
                blobsDeleted, options.dryRun() ? "eligible" : "deleted", freed.get(), spared.get(), links,
                options.dryRun() ? "eligible" : "deleted", sweepMillis);
        return new GcReport(options.dryRun(), repositories.size(), manifestsMarked.get(), marked.size(),
                manifestsDeleted.get(), blobsDeleted, freed.get(), spared.get(), links, markMillis, sweepMillis);
    }

    // ---- mark ----

    /** Every repository: a directory that holds {@code _manifests}, {@code _layers} or {@code _uploads}. */
    private List<RepositoryName> repositories(ExecutorService pool) throws InterruptedException {
        List<RepositoryName> found = new ArrayList<>();
        List<String> level = List.of(StoragePaths.REPOSITORIES);
        while (!level.isEmpty()) {
            List<Callable<List<String>>> listings = level.stream().<Callable<List<String>>>map(dir -> () -> children(dir)).toList();
            List<List<String>> listed = all(pool, listings);
            List<String> next = new ArrayList<>();
            for (int i = 0; i < level.size(); i++) {
                String dir = level.get(i);
                boolean repository = false;
                for (String child : listed.get(i)) {
                    String name = child.substring(child.lastIndexOf('/') + 1);
                    if (name.startsWith("_")) {
                        repository |= name.equals("_manifests") || name.equals("_layers") || name.equals("_uploads");
                    } else {
                        next.add(child);
                    }
                }
                if (repository) {
                    try {
                        found.add(RepositoryName.of(dir.substring(StoragePaths.REPOSITORIES.length() + 1)));
                    } catch (RuntimeException e) {
                        LOG.warn("gc: {} is not a repository name; its content is not marked", dir);
                    }
                }
            }
            level = next;
        }
        return found;
    }

    private void markRepository(RepositoryName repo, Set<String> marked, AtomicLong manifestsMarked,
                                AtomicLong manifestsDeleted) {
        Set<Digest> revisions = digestsIn(StoragePaths.revisionsDir(repo) + "/" + SHA256);
        Map<Digest, Optional<ParsedManifest>> parsed = new HashMap<>();
        for (Digest revision : revisions) {
            parsed.put(revision, read(repo, revision));
        }
        Set<Digest> kept;
        if (options.deleteUntagged()) {
            kept = reachableFromTags(repo, revisions, parsed);
        } else {
            kept = revisions;
        }
        for (Digest manifest : kept) {
            manifestsMarked.incrementAndGet();
            marked.add(manifest.hex());
            parsed.get(manifest).ifPresent(m -> {
                m.config().ifPresent(d -> mark(marked, d));
                m.layers().forEach(d -> mark(marked, d));
                m.manifests().forEach(d -> mark(marked, d));
            });
        }
        for (Digest revision : revisions) {
            if (!kept.contains(revision)) {
                manifestsDeleted.incrementAndGet();
                listener.manifestEligible(repo, revision);
                if (!options.dryRun()) {
                    unlink(repo, revision, parsed.get(revision));
                }
            }
        }
    }

    private static void mark(Set<String> marked, Descriptor descriptor) {
        if (descriptor.digest().algorithm().prefix().equals(SHA256)) {
            marked.add(descriptor.digest().hex());
        }
    }

    /** Tagged manifests, the children of kept indexes and the referrers of kept subjects, to a fixed point. */
    private Set<Digest> reachableFromTags(RepositoryName repo, Set<Digest> revisions,
                                          Map<Digest, Optional<ParsedManifest>> parsed) {
        Set<Digest> kept = new HashSet<>();
        for (String tagDir : children(StoragePaths.tagsDir(repo))) {
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
        boolean grew = true;
        while (grew) {
            grew = false;
            for (Digest revision : revisions) {
                if (kept.contains(revision)) {
                    for (Descriptor child : parsed.get(revision).map(ParsedManifest::manifests).orElse(List.of())) {
                        if (revisions.contains(child.digest()) && kept.add(child.digest())) {
                            grew = true;
                        }
                    }
                } else {
                    Optional<Descriptor> subject = parsed.get(revision).flatMap(ParsedManifest::subject);
                    if (subject.isPresent() && kept.contains(subject.get().digest())) {
                        kept.add(revision);
                        grew = true;
                    }
                }
            }
        }
        return kept;
    }

    private Optional<ParsedManifest> read(RepositoryName repo, Digest manifest) {
        byte[] body;
        try {
            body = storage.getContent(StoragePaths.blobData(manifest));
        } catch (PathNotFoundException e) {
            LOG.warn("gc: {} lists manifest {} whose data is missing", repo, manifest);
            return Optional.empty();
        }
        try {
            return Optional.of(ManifestParser.parse(ManifestParser.detectMediaType(body), body));
        } catch (RuntimeException e) {
            // Schema 1 and other manifests we do not parse: the manifest is kept, what it names is not known.
            LOG.warn("gc: manifest {} in {} could not be parsed ({}); only the manifest itself is marked",
                    manifest, repo, e.getMessage());
            return Optional.empty();
        }
    }

    /** Removes an untagged manifest from its repository: its revision link and its referrer entry. */
    private void unlink(RepositoryName repo, Digest manifest, Optional<ParsedManifest> parsed) {
        deleteQuietly(StoragePaths.revisionsDir(repo) + "/" + SHA256 + "/" + manifest.hex());
        parsed.flatMap(ParsedManifest::subject)
                .ifPresent(subject -> deleteQuietly(StoragePaths.referrerEntry(repo, subject.digest(), manifest)));
    }

    // ---- sweep ----

    /** A blob's data file: kept when marked or young, else listed for deletion. */
    private void sweepCandidate(FileInfo file, Set<String> marked, Instant now, Set<String> present, Queue<String> doomed,
                                AtomicLong freed, AtomicLong spared) {
        if (!file.path().endsWith("/data")) {
            return;
        }
        String hex = blobHex(file.path());
        if (!HEX.matcher(hex).matches()) {
            return;
        }
        present.add(hex);
        if (marked.contains(hex)) {
            return;
        }
        Digest digest = Digest.parse(SHA256 + ":" + hex);
        if (!options.grace().isZero()) {
            Duration age = Duration.between(file.modifiedAt(), now);
            if (age.compareTo(options.grace()) < 0) {
                spared.incrementAndGet();
                listener.spared(digest, age);
                return;
            }
        }
        listener.eligible(digest);
        freed.addAndGet(file.size());
        doomed.add(file.path());
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

    private List<String> children(String dir) {
        try {
            return storage.list(dir);
        } catch (PathNotFoundException e) {
            return List.of();
        }
    }

    private Set<Digest> digestsIn(String dir) {
        Set<Digest> digests = new HashSet<>();
        for (String child : children(dir)) {
            String hex = child.substring(child.lastIndexOf('/') + 1);
            if (HEX.matcher(hex).matches()) {
                digests.add(Digest.parse(SHA256 + ":" + hex));
            }
        }
        return digests;
    }

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
