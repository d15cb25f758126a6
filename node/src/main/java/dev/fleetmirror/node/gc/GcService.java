package dev.fleetmirror.node.gc;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fleetmirror.coordination.ClusterView;
import dev.fleetmirror.coordination.Coordination;
import dev.fleetmirror.coordination.gc.GcRun;
import dev.fleetmirror.coordination.gc.GcRunInfo;
import dev.fleetmirror.core.error.ErrorCode;
import dev.fleetmirror.core.error.RegistryException;
import dev.fleetmirror.core.storage.PathNotFoundException;
import dev.fleetmirror.core.storage.StorageDriver;
import dev.fleetmirror.core.storage.StoragePaths;
import dev.fleetmirror.gc.CollectionRun;
import dev.fleetmirror.node.config.GcSchedule;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import dev.fleetmirror.coordination.mode.Holds;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the cluster's garbage collection: claims the cluster's one run, switches the cluster to
 * read-only (writes drain, pulls go on), collects, writes the report under
 * {@code fleetmirror/gc/}, and switches back, whatever happened. On the configured schedule only
 * the oldest member starts a run; {@code POST /admin/v1/gc} starts one on the member asked. When a
 * run's member dies, the oldest remaining member restores read-write and records the run as
 * abandoned. Everything blocking runs on a worker of its own, never on an event loop.
 */
public final class GcService implements AutoCloseable {
    /** Where reports go, next to Distribution's tree, never inside it. */
    public static final String REPORTS = StoragePaths.FLEETMIRROR + "/gc/reports";
    public static final String LATEST = StoragePaths.FLEETMIRROR + "/gc/latest.json";
    private static final Logger LOG = LoggerFactory.getLogger(GcService.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The read-only switch of the cluster, as the GC uses it: writes arriving meanwhile are held
     * (they wait, up to {@code gc.maxhold}), not refused. Calls block until the switch is complete.
     */
    public interface ModeControl {
        void readOnly() throws Exception;

        void readWrite() throws Exception;
    }

    /**
     * The collection itself (gc-job's {@link CollectionRun}: expiry, mark, and the sweep inside the
     * short read-only window, which this service provides), reporting its phases through the run and
     * its figures as fields of the run's one flat report, each phase's as soon as it is over.
     */
    public interface Collection {
        void collect(GcRun run, ObjectNode report, CollectionRun.Window window) throws Exception;
    }

    private final Vertx vertx;
    private final Coordination coordination;
    private final StorageDriver storage;
    private final ModeControl mode;
    private final Collection collection;
    private final Clock clock;
    private final WorkerExecutor worker;
    private final Consumer<ObjectNode> reported;
    private volatile long timer = -1;
    private volatile boolean closed;

    public GcService(Vertx vertx, Coordination coordination, StorageDriver storage, ModeControl mode,
                     Collection collection, Clock clock, Consumer<ObjectNode> reported) {
        this.reported = reported;
        this.vertx = vertx;
        this.coordination = coordination;
        this.storage = storage;
        this.mode = mode;
        this.collection = collection;
        this.clock = clock;
        this.worker = vertx.createSharedWorkerExecutor("fleetmirror-gc", 1, 24, TimeUnit.HOURS);
        coordination.gcRuns().onAbandoned(this::restoreAfter);
    }

    /** Runs on the schedule: whoever is the oldest member when a run is due starts it. */
    public void schedule(GcSchedule schedule) {
        Instant now = clock.instant();
        Instant due = schedule.next(now);
        long delay = Math.max(1, Duration.between(now, due).toMillis());
        LOG.info("garbage collection scheduled {}, next at {}", schedule, due);
        timer = vertx.setTimer(delay, id -> {
            if (closed) {
                return;
            }
            vertx.executeBlocking(() -> coordination.view().oldest().local(), false).onComplete(oldest -> {
                if (oldest.succeeded() && oldest.result()) {
                    run("schedule").onFailure(e -> LOG.warn("scheduled garbage collection did not run: {}", e.getMessage()));
                }
                schedule(schedule);
            });
        });
    }

    /** The run in progress anywhere in the cluster. */
    public Future<Optional<GcRunInfo>> current() {
        return worker.executeBlocking(() -> coordination.gcRuns().current(), false);
    }

    /** The last report written by any member, if any. */
    public Future<Optional<byte[]>> latestReport() {
        return worker.executeBlocking(() -> {
            try {
                return Optional.of(storage.getContent(LATEST));
            } catch (PathNotFoundException e) {
                return Optional.<byte[]>empty();
            }
        }, false);
    }

    /**
     * Runs a collection now, on this member; the future holds the report. Fails with 409 when a
     * run is in progress and 503 without quorum, having changed nothing.
     */
    public Future<ObjectNode> run(String trigger) {
        return vertx.executeBlocking(() -> {
            ClusterView view = coordination.view();
            if (!view.quorum()) {
                throw new RegistryException(ErrorCode.UNAVAILABLE, "no garbage collection without quorum: "
                        + view.members().size() + " member(s) present, cluster.minimumSize not met");
            }
            Optional<GcRun> claimed = coordination.gcRuns().claim(trigger);
            if (claimed.isEmpty()) {
                String running = coordination.gcRuns().current().map(GcService::describe).orElse("a run");
                throw new RegistryException(ErrorCode.UNSUPPORTED, "garbage collection is running already: " + running,
                        null, 409, null);
            }
            return claimed.get();
        }, false).compose(run -> worker.executeBlocking(() -> collect(run), false));
    }

    private ObjectNode collect(GcRun run) throws Exception {
        Instant started = clock.instant();
        ObjectNode report = JSON.createObjectNode();
        report.put("runId", run.info().runId());
        report.put("member", run.info().memberId());
        report.put("trigger", run.info().trigger());
        report.put("started", started.toString());
        try {
            collection.collect(run, report, new WindowOf(run, report));
            report.put("outcome", "completed");
        } catch (Exception e) {
            report.put("outcome", report.has("readOnlyMillis") || report.has("readOnlySwitchMillis") ? "failed" : "not started");
            report.put("error", describe(e));
            finish(report, started);
            run.close();
            throw e;
        }
        finish(report, started);
        run.close();
        return report;
    }

    /**
     * The window: holds counted anew, the cluster drained (writes arriving now wait) and read-only,
     * the work, read-write again whatever happened; then the holds of every member, once the writes
     * that waited have gone ahead (or given up), go into the report.
     */
    private final class WindowOf implements CollectionRun.Window {
        private final GcRun run;
        private final ObjectNode report;

        WindowOf(GcRun run, ObjectNode report) {
            this.run = run;
            this.report = report;
        }

        @Override
        public <T> T readOnly(Callable<T> work) throws Exception {
            coordination.mode().holds(true);
            run.phase("read-only");
            long switching = System.nanoTime();
            mode.readOnly();
            long readOnly = System.nanoTime();
            report.put("readOnlySwitchMillis", (readOnly - switching) / 1_000_000);
            try {
                return work.call();
            } finally {
                run.phase("read-write");
                try {
                    mode.readWrite();
                } finally {
                    long now = System.nanoTime();
                    report.put("readOnlyMillis", (now - readOnly) / 1_000_000);
                    report.put("windowMillis", (now - switching) / 1_000_000);
                    reportHolds(report);
                }
            }
        }
    }

    /** The writes held during the window, counted on every member once none is waiting any more. */
    private void reportHolds(ObjectNode report) {
        try {
            Holds holds = coordination.mode().holds(false);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (holds.waiting() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
                holds = coordination.mode().holds(false);
            }
            report.put("writesHeld", holds.held());
            report.put("writesHeldRefused", holds.refused());
            report.put("longestHoldMillis", holds.longestMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warn("the writes held during the GC window could not be counted: {}", e.toString());
        }
    }

    private void finish(ObjectNode report, Instant started) {
        Instant finished = clock.instant();
        report.put("finished", finished.toString());
        report.put("durationMillis", Duration.between(started, finished).toMillis());
        LOG.info("garbage collection {}: {}", report.path("outcome").asText(), report);
        write(report);
        reported.accept(report);
    }

    /** On the oldest member, when the member running a GC died: read-write again, and a report saying so. */
    private void restoreAfter(GcRunInfo abandoned) {
        if (closed) {
            return;
        }
        ObjectNode report = JSON.createObjectNode();
        report.put("runId", abandoned.runId());
        report.put("member", abandoned.memberId());
        report.put("trigger", abandoned.trigger());
        report.put("started", abandoned.started().toString());
        report.put("outcome", "abandoned");
        report.put("abandonedInPhase", abandoned.phase());
        try {
            mode.readWrite();
            coordination.journal().stop();
            // Its sweep may have doomed blobs and died before deleting them: HEADs may find them again.
            coordination.blobIndex().changedEverywhere();
            coordination.pushedBlobs().lift();
            report.put("restoredBy", coordination.memberId());
        } catch (Exception e) {
            report.put("error", "restoring read-write failed: " + e.getMessage());
            LOG.error("GC run {} was abandoned and restoring read-write failed", abandoned.runId(), e);
        }
        finish(report, abandoned.started());
    }

    private void write(ObjectNode report) {
        try {
            byte[] body = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(report);
            String name = report.path("started").asText().replace(':', '-') + "-" + report.path("runId").asText() + ".json";
            storage.putContent(REPORTS + "/" + name, body);
            storage.putContent(LATEST, body);
        } catch (Exception e) {
            LOG.warn("the GC report could not be written to storage: {}", e.toString());
        }
    }

    /** The message, or the exception's type when it has none ("null" says nothing). */
    private static String describe(Exception e) {
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }

    static String describe(GcRunInfo run) {
        return "run " + run.runId() + " (" + run.trigger() + ") on member " + run.memberId() + " since "
                + run.started() + ", in phase " + run.phase();
    }

    @Override
    public void close() {
        closed = true;
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        worker.close();
    }
}
