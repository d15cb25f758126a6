package dev.fleetmirror.node.maintenance;

import dev.fleetmirror.coordination.Coordination;
import dev.fleetmirror.core.storage.StorageDriver;
import dev.fleetmirror.gc.expiry.PullRecorder;
import dev.fleetmirror.gc.purge.PurgeReport;
import dev.fleetmirror.gc.purge.UploadPurger;
import dev.fleetmirror.node.config.UploadPurgingConfig;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The storage housekeeping a node does on its own, each task on a maintenance worker (never on the
 * event loop that fires its timer), each skipped while its previous run is still going:
 * <ul>
 *   <li>flushing the pulls the {@link PullRecorder} noted to storage, every minute and once more at
 *       close, so that expiry sees the cluster's pulls;</li>
 *   <li>upload purging, shortly after start-up and then every {@code interval}: in a cluster only on
 *       the oldest member, so one member walks the bucket.</li>
 * </ul>
 * Neither writes while {@code writable} says no (the node is read-only).
 */
public final class MaintenanceSchedule implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MaintenanceSchedule.class);
    public static final Duration FLUSH_INTERVAL = Duration.ofMinutes(1);
    public static final Duration PURGE_START_DELAY = Duration.ofMinutes(1);

    private final Vertx vertx;
    private final WorkerExecutor worker;
    private final Optional<PullRecorder> pulls;
    private final BooleanSupplier writable;
    private final AtomicBoolean flushing = new AtomicBoolean();
    private final AtomicBoolean purging = new AtomicBoolean();
    private final AtomicReference<PurgeReport> lastPurge = new AtomicReference<>();
    private final AtomicInteger purgesSkipped = new AtomicInteger();
    private final long flushTimer;
    private final long purgeStartTimer;
    private volatile long purgeTimer = -1;
    private volatile boolean closed;

    private MaintenanceSchedule(Vertx vertx, Optional<PullRecorder> pulls, BooleanSupplier writable,
                                Duration flushInterval, Runnable purge, Duration purgeStartDelay,
                                Optional<Duration> purgeInterval) {
        this.vertx = vertx;
        this.pulls = pulls;
        this.writable = writable;
        this.worker = vertx.createSharedWorkerExecutor("fleetmirror-maintenance", 2, 1, TimeUnit.HOURS);
        this.flushTimer = pulls.isPresent()
                ? vertx.setPeriodic(flushInterval.toMillis(), id -> runOnce(flushing, this::flush))
                : -1;
        this.purgeStartTimer = purgeInterval.isPresent()
                ? vertx.setTimer(purgeStartDelay.toMillis(), id -> {
                    if (!closed) {
                        runOnce(purging, purge);
                        purgeTimer = vertx.setPeriodic(purgeInterval.get().toMillis(), next -> runOnce(purging, purge));
                    }
                })
                : -1;
    }

    /**
     * @param pulls       the recorder of mirrored manifest pulls, when the node mirrors anything
     * @param writable    whether the node may write to storage now
     */
    public static MaintenanceSchedule start(Vertx vertx, StorageDriver driver, Coordination coordination,
                                            UploadPurgingConfig purging, Optional<PullRecorder> pulls,
                                            BooleanSupplier writable) {
        return start(vertx, driver, coordination, purging, pulls, writable, FLUSH_INTERVAL, PURGE_START_DELAY,
                Clock.systemUTC());
    }

    /** With the delays chosen, for tests. */
    public static MaintenanceSchedule start(Vertx vertx, StorageDriver driver, Coordination coordination,
                                            UploadPurgingConfig purging, Optional<PullRecorder> pulls,
                                            BooleanSupplier writable, Duration flushInterval,
                                            Duration purgeStartDelay, Clock clock) {
        UploadPurger purger = new UploadPurger(driver, purging.age(), clock);
        AtomicReference<MaintenanceSchedule> self = new AtomicReference<>();
        Runnable purge = () -> self.get().purge(purger, coordination, purging.dryRun());
        MaintenanceSchedule schedule = new MaintenanceSchedule(vertx, pulls, writable, flushInterval, purge,
                purgeStartDelay, purging.enabled() ? Optional.of(purging.interval()) : Optional.empty());
        self.set(schedule);
        return schedule;
    }

    private void runOnce(AtomicBoolean running, Runnable task) {
        if (!running.compareAndSet(false, true)) {
            return;
        }
        worker.executeBlocking(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.warn("maintenance task failed; it runs again at its next time", e);
            } finally {
                running.set(false);
            }
            return null;
        }, false);
    }

    private void flush() {
        if (writable.getAsBoolean()) {
            pulls.ifPresent(PullRecorder::flush);
        }
    }

    private void purge(UploadPurger purger, Coordination coordination, boolean dryRun) {
        if (!writable.getAsBoolean() && !dryRun) {
            LOG.info("upload purging skipped: the node is read-only");
            purgesSkipped.incrementAndGet();
            return;
        }
        if (!coordination.view().oldest().local()) {
            LOG.debug("upload purging is left to the cluster's oldest member");
            purgesSkipped.incrementAndGet();
            return;
        }
        lastPurge.set(purger.run(dryRun));
    }

    /** The last purge's report, when one ran. */
    public Optional<PurgeReport> lastPurge() {
        return Optional.ofNullable(lastPurge.get());
    }

    /** Purges that were due but left out (read-only, or not the oldest member). */
    public int purgesSkipped() {
        return purgesSkipped.get();
    }

    /** Stops the timers and flushes what was recorded since the last flush. Blocks: call it on a worker. */
    @Override
    public void close() {
        closed = true;
        vertx.cancelTimer(flushTimer);
        vertx.cancelTimer(purgeStartTimer);
        vertx.cancelTimer(purgeTimer);
        if (writable.getAsBoolean()) {
            pulls.ifPresent(recorder -> {
                PullRecorder.Flush flush = recorder.flush();
                LOG.debug("pull times flushed at close: {}", flush);
            });
        }
        worker.close();
    }
}
