package dev.fleetmirror.gc;

import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.storage.PathNotFoundException;
import dev.fleetmirror.core.storage.StorageDriver;
import dev.fleetmirror.core.storage.StoragePaths;
import dev.fleetmirror.gc.expiry.CacheExpiry;
import dev.fleetmirror.gc.expiry.ExpiryReport;
import dev.fleetmirror.gc.mark.MarkState;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Predicate;

/**
 * One collection run, the same for the live node ({@code POST /admin/v1/gc}, the schedule) and the
 * offline {@code fleetmirror gc}: expiry of cached content first (when the registry mirrors and
 * {@code proxy.ttl} is not zero: it only unlinks), then the mark while the registry is read-write,
 * and the re-mark from the journal and the sweep in the read-only window (GC-PROTOCOL.md). Live,
 * the journal records every member's writes while the mark lists, and the window is the cluster's
 * short read-only switch; offline nothing writes, so there is no journal and the window is the run
 * itself.
 *
 * <p>Each phase writes its figures into the run's one flat report as soon as it is over, field by
 * field and as plain numbers (no object mapping of records: a {@code java.time} type in a report
 * once failed every mirroring node's GC at serialisation), so a run that fails in the mark still
 * reports what its expiry did.
 */
public final class CollectionRun {
    /** Written as each live run's journal starts; its time is where the next run's "written since" starts. */
    public static final String MARK_STARTED = StoragePaths.FLEETMIRROR + "/gc/mark-started";

    /** The cached content to expire, and after how long; a TTL of zero expires nothing. */
    public record Expiry(Duration ttl, Predicate<RepositoryName> mirrored) {
    }

    /** What the run does: as the CLI's flags or the node's {@code gc:} and {@code proxy:} sections say. */
    public record Settings(boolean dryRun, boolean deleteUntagged, Duration grace, int parallelism,
                           Optional<Expiry> expiry) {
        public Settings {
            expiry = expiry.filter(e -> !e.ttl().isZero());
        }
    }

    /** Where the run's figures go, one field at a time. */
    public interface Report {
        void put(String field, long value);

        void put(String field, String value);
    }

    /** The writes made while the mark lists, recorded by every member of a live cluster. */
    public interface Journal {
        /** Records from now on, once no unrecorded write is in flight anywhere; fails if that does not happen. */
        void start() throws Exception;

        Set<String> recorded();

        void stop();
    }

    /** The read-only window; the collection calls it once, for the re-mark and the sweep. */
    public interface Window {
        <T> T readOnly(Callable<T> work) throws Exception;

        /** Offline: the registry is read-only (or stopped) for the whole run already. */
        Window WHOLE_RUN = new Window() {
            @Override
            public <T> T readOnly(Callable<T> work) throws Exception {
                return work.call();
            }
        };
    }

    /** Hears the run: its phases and what it finds, and the repositories whose manifests it unlinked. */
    public interface Listener extends GarbageCollector.Listener {
        /** A repository whose manifests expiry unlinked: caches of its manifests must forget them. */
        default void expired(RepositoryName repository) {
        }
    }

    private final StorageDriver storage;
    private final Settings settings;
    private final Optional<Journal> journal;
    private final GarbageCollector.Pushes pushes;
    private final Clock clock;
    private final Listener listener;

    private CollectionRun(StorageDriver storage, Settings settings, Optional<Journal> journal,
                          GarbageCollector.Pushes pushes, Clock clock, Listener listener) {
        this.storage = storage;
        this.settings = settings;
        this.journal = journal;
        this.pushes = pushes;
        this.clock = clock;
        this.listener = listener;
    }

    /**
     * A live cluster's run: the journal records writes while the mark lists; blobs written since the
     * previous run's mark began, and those {@code pushes} were told of lately, are spared (a push may
     * still be on its way to its manifest).
     */
    public static CollectionRun live(StorageDriver storage, Settings settings, Journal journal,
                                     GarbageCollector.Pushes pushes, Clock clock, Listener listener) {
        return new CollectionRun(storage, settings, Optional.of(journal), pushes, clock, listener);
    }

    /** A run on a registry nothing writes to: the offline CLI's. */
    public static CollectionRun offline(StorageDriver storage, Settings settings, Clock clock, Listener listener) {
        return new CollectionRun(storage, settings, Optional.empty(), GarbageCollector.Pushes.NONE, clock, listener);
    }

    /** Expires, marks and sweeps; the figures go into {@code report} as each phase ends. */
    public Outcome collect(Report report, Window window) throws Exception {
        Optional<ExpiryReport> expired = expire(report);
        GarbageCollector collector = new GarbageCollector(storage, new GarbageCollector.Options(settings.dryRun(),
                settings.deleteUntagged(), settings.grace(), settings.parallelism(),
                journal.isPresent() ? lastMarkStarted() : Optional.empty()), clock, listener);
        GcReport collected;
        MarkState marked;
        if (journal.isEmpty()) {
            marked = collector.mark();
            report.put("markMillis", marked.markMillis);
            MarkState state = marked;
            collected = window.readOnly(() -> collector.sweep(state, Set.of(), pushes));
        } else {
            try {
                // From here on every member records the links it writes: the mark lists while they write.
                journal.get().start();
                if (!settings.dryRun()) {
                    storage.putContent(MARK_STARTED, clock.instant().toString().getBytes(StandardCharsets.US_ASCII));
                }
                marked = collector.mark();
                report.put("markMillis", marked.markMillis);
                MarkState state = marked;
                collected = window.readOnly(() -> collector.sweep(state, journal.get().recorded(), pushes));
            } finally {
                journal.get().stop();
            }
        }
        report(collected, marked, report);
        return new Outcome(expired, collected);
    }

    /** What the run did: its expiry (when it ran) and its collection. */
    public record Outcome(Optional<ExpiryReport> expiry, GcReport collection) {
    }

    private Optional<ExpiryReport> expire(Report report) {
        if (settings.expiry().isEmpty()) {
            report.put("expiry", "off");
            return Optional.empty();
        }
        Expiry expiry = settings.expiry().get();
        listener.phase("expiry");
        // Each repository's caches forget its unlinked manifests as soon as they are unlinked (invariant 8).
        ExpiryReport expired = new CacheExpiry(storage, expiry.ttl(), expiry.mirrored(), clock)
                .run(settings.dryRun(), listener::expired);
        report.put("expiry", settings.dryRun() ? "dry run" : "ran");
        report.put("expiryTtlSeconds", expiry.ttl().toSeconds());
        report.put("expiryRepositories", expired.repositoriesVisited());
        report.put("expiryManifestsUnlinked", expired.manifestsUnlinked());
        report.put("expiryTagsUnlinked", expired.tagsUnlinked());
        report.put("expiryManifestsKept", expired.manifestsKept());
        report.put("expiryMillis", expired.durationMillis());
        return Optional.of(expired);
    }

    private static void report(GcReport collected, MarkState marked, Report report) {
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
        report.put("blobsKeptForPushes", collected.blobsKeptForPushes());
        report.put("layerLinksDeleted", collected.layerLinksDeleted());
        report.put("journaledWrites", collected.journaled());
        report.put("remarkMillis", collected.remarkMillis());
        report.put("sweepMillis", collected.sweepMillis());
        // What the compact mark state held at its largest (after the re-mark): digests as 32 bytes.
        report.put("markStateBytes", marked.digestBytes());
        long total = 0;
        for (Map.Entry<String, Long> kind : collected.requests().entrySet()) {
            report.put("requests" + Character.toUpperCase(kind.getKey().charAt(0)) + kind.getKey().substring(1),
                    kind.getValue());
            total += kind.getValue();
        }
        report.put("requestsTotal", total);
    }

    /**
     * When the previous run's mark began, as the storage's clock has it (the time of the marker it
     * wrote): a blob written since may belong to a push still on its way to its manifest, so it
     * gets this whole run and the previous one to arrive (GC-PROTOCOL.md).
     */
    private Optional<Instant> lastMarkStarted() {
        try {
            return Optional.of(storage.stat(MARK_STARTED).modifiedAt());
        } catch (PathNotFoundException e) {
            return Optional.empty();
        }
    }
}
