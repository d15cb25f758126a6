package dev.fleetmirror.node.gc;

import dev.fleetmirror.coordination.Coordination;
import dev.fleetmirror.coordination.mode.ClusterMode;
import dev.fleetmirror.core.storage.StorageDriver;
import dev.fleetmirror.gc.ClusterStateSnapshot;
import io.vertx.core.Vertx;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps {@link ClusterStateSnapshot} in storage current, so the offline {@code fleetmirror gc} knows
 * a live cluster is there and whether it is read-only: written by the oldest member (a standalone
 * node always) every {@link ClusterStateSnapshot#REFRESH}, by any member right after it switched
 * the mode, and by the last member as it stops cleanly ({@link ClusterStateSnapshot#STOPPED}), so
 * that the offline collection need not wait for the snapshot to age. Written on a worker, never on
 * the event loop.
 */
public final class StateSnapshots implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StateSnapshots.class);

    private final Vertx vertx;
    private final StorageDriver storage;
    private final Coordination coordination;
    private final boolean writable;
    private final long timer;
    /** Guarded by {@code this}: once closed, no refresh may overwrite what the close wrote. */
    private boolean closed;

    /** @param writable false on a node pinned read-only ({@code storage.maintenance.readonly.enabled}): it writes nothing */
    public StateSnapshots(Vertx vertx, StorageDriver storage, Coordination coordination, boolean writable) {
        this.vertx = vertx;
        this.storage = storage;
        this.coordination = coordination;
        this.writable = writable;
        this.timer = writable ? vertx.setPeriodic(1, ClusterStateSnapshot.REFRESH.toMillis(), id -> refresh()) : -1;
    }

    private void refresh() {
        vertx.executeBlocking(() -> {
            if (coordination.view().oldest().local()) {
                write(coordination.mode().current());
            }
            return null;
        }, false);
    }

    /** Says {@code mode} now (after a switch this member made); call on a worker. */
    public void write(ClusterMode mode) {
        write(mode.name());
    }

    private synchronized void write(String mode) {
        if (!writable || closed) {
            return;
        }
        try {
            new ClusterStateSnapshot(coordination.view().name(), mode, Instant.now()).write(storage);
        } catch (RuntimeException e) {
            LOG.warn("the cluster state snapshot could not be written to storage: {}", e.toString());
        }
    }

    /**
     * Stops refreshing; on the last member of its cluster (a standalone node always) records that
     * the cluster stopped. Call on a worker, before the coordination and the storage close. Members
     * stopping at the same moment may each still see the other: then none records it, and the
     * snapshot ages out after {@link ClusterStateSnapshot#LIVE}, the safe way round.
     */
    @Override
    public void close() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        boolean last;
        try {
            last = coordination.view().members().size() <= 1;
        } catch (RuntimeException e) {
            last = false;
        }
        synchronized (this) {
            if (last && writable && !closed) {
                write(ClusterStateSnapshot.STOPPED);
                LOG.info("last member of cluster '{}' stopping: recorded in storage that the cluster stopped",
                        coordination.view().name());
            }
            closed = true;
        }
    }
}
