package dev.fleetmirror.gc;

import static dev.fleetmirror.gc.GarbageCollector.HEX;
import static dev.fleetmirror.gc.GarbageCollector.SHA256;
import static dev.fleetmirror.gc.GarbageCollector.all;
import static dev.fleetmirror.gc.GarbageCollector.blobHex;
import static dev.fleetmirror.gc.GarbageCollector.markManifest;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.storage.PathNotFoundException;
import dev.fleetmirror.core.storage.RequestTally;
import dev.fleetmirror.core.storage.StorageDriver;
import dev.fleetmirror.core.storage.StoragePaths;
import dev.fleetmirror.gc.mark.DigestSet;
import dev.fleetmirror.gc.mark.MarkState;
import dev.fleetmirror.gc.mark.References;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The work of the read-only window, for one {@link GarbageCollector}: the re-mark from the journal,
 * the unlinks of untagged manifests nothing written meanwhile saved, and the deletes of the
 * candidates still unmarked (less those a push in flight was told of), with their layer links.
 */
final class Sweep {
    private static final Logger LOG = LoggerFactory.getLogger(Sweep.class);
    /** Files per delete call at most: what one S3 DeleteObjects request takes. */
    private static final int DELETE_BATCH = 1000;
    /** Fewer per call than this and requests cost more than they save. */
    private static final int MIN_DELETE_BATCH = 50;

    private final StorageDriver storage;
    private final GarbageCollector.Options options;
    private final GarbageCollector.Listener listener;
    private final RequestTally requests;

    Sweep(StorageDriver storage, GarbageCollector.Options options, GarbageCollector.Listener listener, RequestTally requests) {
        this.storage = storage;
        this.options = options;
        this.listener = listener;
        this.requests = requests;
    }

    GcReport run(ExecutorService pool, MarkState state, Collection<String> journal, GarbageCollector.Pushes pushes)
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

    private void deleteQuietly(String path) {
        try {
            storage.delete(path);
        } catch (PathNotFoundException e) {
            // gone already
        }
    }
}
