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
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * What a live GC run does while the cluster is read-only: expiry of cached content first (when the
 * node mirrors and {@code proxy.ttl} is not zero), then mark and sweep; repositories whose manifests
 * changed are invalidated in the cluster's manifest index.
 *
 * <p>Each phase writes its figures into the run's one flat report as soon as it is over, field by
 * field and as plain numbers (no object mapping of records: a {@code java.time} type in a report
 * once failed every mirroring node's GC at serialisation), so a run that fails in the mark still
 * reports what its expiry did.
 */
public final class LiveCollection implements GcService.Collection {
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
    public void collect(GcRun run, ObjectNode report) throws Exception {
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
        GcReport collected = new GarbageCollector(storage, new GarbageCollector.Options(false, deleteUntagged, grace,
                parallelism), clock, new GarbageCollector.Listener() {
                    @Override
                    public void phase(String phase) {
                        run.phase(phase);
                    }

                    @Override
                    public void manifestEligible(RepositoryName repository, Digest manifest) {
                        coordination.manifestIndex().changed(repository);
                    }
                }).run();
        report.put("repositories", collected.repositories());
        report.put("manifestsMarked", collected.manifestsMarked());
        report.put("blobsMarked", collected.blobsMarked());
        report.put("manifestsDeleted", collected.manifestsDeleted());
        report.put("blobsDeleted", collected.blobsDeleted());
        report.put("bytesFreed", collected.bytesFreed());
        report.put("blobsSpared", collected.blobsSpared());
        report.put("layerLinksDeleted", collected.layerLinksDeleted());
        report.put("markMillis", collected.markMillis());
        report.put("sweepMillis", collected.sweepMillis());
    }
}
