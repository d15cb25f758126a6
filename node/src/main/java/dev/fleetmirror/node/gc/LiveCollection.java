package dev.fleetmirror.node.gc;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fleetmirror.coordination.Coordination;
import dev.fleetmirror.coordination.gc.GcRun;
import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.storage.StorageDriver;
import dev.fleetmirror.gc.GarbageCollector;
import dev.fleetmirror.gc.GcReport;
import dev.fleetmirror.gc.expiry.CacheExpiry;
import dev.fleetmirror.gc.expiry.ExpiryReport;
import dev.fleetmirror.coordination.gc.WriteJournal;
import dev.fleetmirror.core.storage.PathNotFoundException;
import dev.fleetmirror.core.storage.StoragePaths;
import dev.fleetmirror.gc.mark.MarkState;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * What a live GC run does: expiry of cached content first (when the node mirrors and
 * {@code proxy.ttl} is not zero), then, with the cluster's write journal on, the mark while the
 * cluster is read-write, and only the re-mark from the journal and the sweep in the read-only
 * window (gc-job/GC-PROTOCOL.md); repositories whose manifests changed are invalidated in the
 * cluster's manifest index.
 *
 * <p>Each phase writes its figures into the run's one flat report as soon as it is over, field by
 * field and as plain numbers (no object mapping of records: a {@code java.time} type in a report
 * once failed every mirroring node's GC at serialisation), so a run that fails in the mark still
 * reports what its expiry did.
 */
public final class LiveCollection implements GcService.Collection {
    /** Written as each run's journal starts; its time is where the next run's "written since" starts. */
    public static final String MARK_STARTED = StoragePaths.FLEETMIRROR + "/gc/mark-started";
    /** How long link writes in flight may delay the start of the journal (they take milliseconds). */
    private static final Duration JOURNAL_START_TIMEOUT = Duration.ofSeconds(30);
    /** The cached content to expire, and after how long; empty on a node that mirrors nothing. */
    public record Expiry(Duration ttl, Predicate<RepositoryName> mirrored) {
    }

    private final StorageDriver storage;
    private final Coordination coordination;
    private final Optional<Expiry> expiry;
    private final boolean deleteUntagged;
    private final Duration grace;
    private final int parallelism;
    private final Clock clock;

    public LiveCollection(StorageDriver storage, Coordination coordination, Optional<Expiry> expiry,
                          boolean deleteUntagged, Duration grace, int parallelism, Clock clock) {
        this.storage = storage;
        this.coordination = coordination;
        this.expiry = expiry.filter(e -> !e.ttl().isZero());
        this.deleteUntagged = deleteUntagged;
        this.grace = grace;
        this.parallelism = parallelism;
        this.clock = clock;
    }

    @Override
    public void collect(GcRun run, ObjectNode report, GcService.Window window) throws Exception {
        if (expiry.isPresent()) {
            run.phase("expiry");
            ExpiryReport expired = new CacheExpiry(storage, expiry.get().ttl(), expiry.get().mirrored(), clock).run(false);
            expired.changed().forEach(repo -> coordination.manifestIndex().changed(repo));
            report.put("expiry", "ran");
            report.put("expiryTtlSeconds", expiry.get().ttl().toSeconds());
            report.put("expiryRepositories", expired.repositoriesVisited());
            report.put("expiryManifestsUnlinked", expired.manifestsUnlinked());
            report.put("expiryTagsUnlinked", expired.tagsUnlinked());
            report.put("expiryManifestsKept", expired.manifestsKept());
            report.put("expiryMillis", expired.durationMillis());
        } else {
            report.put("expiry", "off");
        }
        GarbageCollector collector = new GarbageCollector(storage, new GarbageCollector.Options(false, deleteUntagged, grace,
                parallelism, lastMarkStarted()), clock, new GarbageCollector.Listener() {
                    @Override
                    public void phase(String phase) {
                        run.phase(phase);
                    }

                    @Override
                    public void manifestEligible(RepositoryName repository, Digest manifest) {
                        coordination.manifestIndex().changed(repository);
                    }
                });
        WriteJournal journal = coordination.journal();
        GcReport collected;
        try {
            // From here on every member records the links it writes: the mark lists while they write.
            journal.start(JOURNAL_START_TIMEOUT);
            storage.putContent(MARK_STARTED, clock.instant().toString().getBytes(StandardCharsets.US_ASCII));
            MarkState marked = collector.mark();
            report.put("markMillis", marked.markMillis);
            collected = window.readOnly(() -> collector.sweep(marked, journal.recorded()));
        } finally {
            journal.stop();
        }
        report.put("repositories", collected.repositories());
        report.put("manifestsMarked", collected.manifestsMarked());
        report.put("manifestsRead", collected.manifestsRead());
        report.put("manifestsReadInWindow", collected.manifestsReadInSweep());
        report.put("blobsMarked", collected.blobsMarked());
        report.put("manifestsDeleted", collected.manifestsDeleted());
        report.put("blobsDeleted", collected.blobsDeleted());
        report.put("bytesFreed", collected.bytesFreed());
        report.put("blobsSpared", collected.blobsSpared());
        report.put("blobsKeptAsRecent", collected.blobsRecent());
        report.put("layerLinksDeleted", collected.layerLinksDeleted());
        report.put("journaledWrites", collected.journaled());
        report.put("remarkMillis", collected.remarkMillis());
        report.put("sweepMillis", collected.sweepMillis());
        long total = 0;
        for (Map.Entry<String, Long> kind : collected.requests().entrySet()) {
            report.put("requests" + Character.toUpperCase(kind.getKey().charAt(0)) + kind.getKey().substring(1), kind.getValue());
            total += kind.getValue();
        }
        report.put("requestsTotal", total);
    }

    /**
     * When the previous run's mark began, as the storage's clock has it (the time of the marker it
     * wrote): a blob written since may belong to a push still on its way to its manifest, so it
     * gets this whole run and the previous one to arrive (gc-job/GC-PROTOCOL.md).
     */
    private Optional<Instant> lastMarkStarted() {
        try {
            return Optional.of(storage.stat(MARK_STARTED).modifiedAt());
        } catch (PathNotFoundException e) {
            return Optional.empty();
        }
    }
}
