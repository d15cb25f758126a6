package dev.fleetmirror.node.gc;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fleetmirror.coordination.Coordination;
import dev.fleetmirror.coordination.gc.GcRun;
import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.storage.StorageDriver;
import dev.fleetmirror.gc.CollectionRun;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;

/**
 * A live node's side of gc-job's {@link CollectionRun}: the run's phases go to the cluster's GC
 * run, the cluster's write journal records every member's writes while the mark lists, and the
 * repositories whose manifests changed are invalidated in the cluster's manifest index. The
 * cluster's blob index is invalidated for repositories expiry touched, and as a whole once the sweep
 * (the work of the read-only window) deleted data and layer links, even when it failed part way.
 */
public final class LiveCollection implements GcService.Collection {
    /** How long link writes in flight may delay the start of the journal (they take milliseconds). */
    private static final Duration JOURNAL_START_TIMEOUT = Duration.ofSeconds(30);

    private final StorageDriver storage;
    private final Coordination coordination;
    private final CollectionRun.Settings settings;
    private final Clock clock;

    /** @param settings never a dry run: a live node's runs collect */
    public LiveCollection(StorageDriver storage, Coordination coordination, CollectionRun.Settings settings, Clock clock) {
        if (settings.dryRun()) {
            throw new IllegalArgumentException("a live collection is never a dry run");
        }
        this.storage = storage;
        this.coordination = coordination;
        this.settings = settings;
        this.clock = clock;
    }

    @Override
    public void collect(GcRun run, ObjectNode report, CollectionRun.Window window) throws Exception {
        CollectionRun.live(storage, settings, new ClusterJournal(), coordination.pushedBlobs()::doom, clock, new CollectionRun.Listener() {
            @Override
            public void phase(String phase) {
                run.phase(phase);
            }

            @Override
            public void manifestEligible(RepositoryName repository, Digest manifest) {
                coordination.manifestIndex().changed(repository);
            }

            @Override
            public void expired(RepositoryName repository) {
                coordination.manifestIndex().changed(repository);
                coordination.blobIndex().changed(repository);
            }
        }).collect(new CollectionRun.Report() {
            @Override
            public void put(String field, long value) {
                report.put(field, value);
            }

            @Override
            public void put(String field, String value) {
                report.put(field, value);
            }
        }, sweepingThenForgetting(window));
    }

    /** The cluster's write journal, as the run uses it. */
    private final class ClusterJournal implements CollectionRun.Journal {
        @Override
        public void start() throws Exception {
            coordination.journal().start(JOURNAL_START_TIMEOUT);
        }

        @Override
        public Set<String> recorded() {
            return coordination.journal().recorded();
        }

        @Override
        public void stop() {
            coordination.journal().stop();
        }
    }

    /** The window, whose work (the sweep) is followed by a new cluster generation of the blob index. */
    private CollectionRun.Window sweepingThenForgetting(CollectionRun.Window window) {
        return new CollectionRun.Window() {
            @Override
            public <T> T readOnly(java.util.concurrent.Callable<T> work) throws Exception {
                return window.readOnly(() -> {
                    try {
                        return work.call();
                    } finally {
                        // Data and layer links of any repository are gone: no member may answer from before.
                        // Only then may a push's HEAD look for the blobs the sweep doomed (and find them gone).
                        coordination.blobIndex().changedEverywhere();
                        coordination.pushedBlobs().lift();
                    }
                });
            }
        };
    }
}
