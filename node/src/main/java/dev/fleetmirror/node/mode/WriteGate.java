package dev.fleetmirror.node.mode;

import dev.fleetmirror.node.api.AdvisesRetry;
import dev.fleetmirror.coordination.mode.ClusterMode;
import dev.fleetmirror.coordination.mode.ModeSwitch;
import dev.fleetmirror.coordination.mode.WritePermit;
import dev.fleetmirror.core.error.ErrorCode;
import dev.fleetmirror.core.error.RegistryException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Optional;

/**
 * Whether a request may write to storage: a node pinned read-only by
 * {@code storage.maintenance.readonly.enabled} never; otherwise while it holds a permit of the
 * cluster's {@link ModeSwitch}, which the read-only switch drains before storage becomes read-only.
 * While a GC's short read-only window is open, a write waits for it to close (up to
 * {@code gc.maxhold}) instead of failing: {@link #acquireHeld}.
 */
public final class WriteGate {
    /** Seconds a client is told to wait when the cluster is read-only for maintenance (a GC). */
    public static final String RETRY_AFTER_SECONDS = "60";

    /** How often a held write looks again: a window lasts about a second, a look costs nothing remote. */
    private static final long HOLD_POLL_MILLIS = 10;

    private final boolean pinnedReadOnly;
    private final Optional<ModeSwitch> mode;
    private final Duration maxHold;

    private WriteGate(boolean pinnedReadOnly, Optional<ModeSwitch> mode, Duration maxHold) {
        this.pinnedReadOnly = pinnedReadOnly;
        this.mode = mode;
        this.maxHold = maxHold;
    }

    /** Every write allowed, no permits: for tests and tools that run no cluster. */
    public static WriteGate open() {
        return new WriteGate(false, Optional.empty(), Duration.ZERO);
    }

    public static WriteGate of(boolean pinnedReadOnly, ModeSwitch mode) {
        return of(pinnedReadOnly, mode, DEFAULT_MAX_HOLD);
    }

    /** With {@code maxHold} ({@code gc.maxhold}): how long a write waits out a GC's read-only window. */
    public static WriteGate of(boolean pinnedReadOnly, ModeSwitch mode, Duration maxHold) {
        return new WriteGate(pinnedReadOnly, Optional.of(mode), maxHold);
    }

    public static WriteGate pinned(boolean readOnly) {
        return new WriteGate(readOnly, Optional.empty(), Duration.ZERO);
    }

    /** {@code gc.maxhold} unless configured. */
    public static final Duration DEFAULT_MAX_HOLD = Duration.ofSeconds(30);

    /**
     * A permit for one write, now or, while a GC's read-only window is open, once it has closed: the
     * write is parked on timers of {@code vertx} (the event loop never waits) and looks again every
     * few milliseconds; past {@code gc.maxhold} it fails as {@link #acquire(String)} does.
     */
    public Future<WritePermit> acquireHeld(Vertx vertx, String what) {
        if (pinnedReadOnly || mode.isEmpty() || vertx == null) {
            try {
                return Future.succeededFuture(acquire(what));
            } catch (RuntimeException e) {
                return Future.failedFuture(e);
            }
        }
        ModeSwitch modes = mode.get();
        Optional<WritePermit> now = modes.tryAcquire();
        if (now.isPresent()) {
            return Future.succeededFuture(now.get());
        }
        if (!modes.holdsWrites() || maxHold.isZero()) {
            return Future.failedFuture(new Maintenance(what, modes.current()));
        }
        Promise<WritePermit> permit = Promise.promise();
        long started = System.nanoTime();
        modes.holdStarted();
        vertx.setTimer(HOLD_POLL_MILLIS, id -> lookAgain(vertx, modes, what, started, permit));
        return permit.future();
    }

    private void lookAgain(Vertx vertx, ModeSwitch modes, String what, long started, Promise<WritePermit> permit) {
        long waited = (System.nanoTime() - started) / 1_000_000;
        Optional<WritePermit> now = modes.tryAcquire();
        if (now.isPresent()) {
            modes.holdEnded(waited, true);
            permit.complete(now.get());
        } else if (waited >= maxHold.toMillis() || !modes.holdsWrites()) {
            modes.holdEnded(waited, false);
            permit.fail(new Maintenance(what, modes.current()));
        } else {
            vertx.setTimer(HOLD_POLL_MILLIS, id -> lookAgain(vertx, modes, what, started, permit));
        }
    }

    /** A permit for one write, or the error the client gets (UNSUPPORTED, naming the maintenance). */
    public WritePermit acquire(String what) {
        if (pinnedReadOnly) {
            throw new RegistryException(ErrorCode.UNSUPPORTED, "the registry is in maintenance mode"
                    + " (storage.maintenance.readonly.enabled): " + what + " refused, pulls work");
        }
        if (mode.isEmpty()) {
            return () -> { };
        }
        return mode.get().tryAcquire().orElseThrow(() -> new Maintenance(what, mode.get().current()));
    }

    /** A permit when writing is allowed now; empty otherwise (a cache fill then serves without storing). */
    public Optional<WritePermit> tryAcquire() {
        if (pinnedReadOnly) {
            return Optional.empty();
        }
        return mode.isEmpty() ? Optional.of(() -> { }) : mode.get().tryAcquire();
    }

    /** The refusal while the cluster is read-only (or draining) for maintenance; clients retry later. */
    public static final class Maintenance extends RegistryException implements AdvisesRetry {
        Maintenance(String what, ClusterMode mode) {
            super(ErrorCode.UNSUPPORTED, "the registry is read-only for maintenance (garbage collection; cluster mode "
                    + mode + "): " + what + " refused, pulls work; retry in a minute");
        }

        @Override
        public Optional<String> retryAfter() {
            return Optional.of(RETRY_AFTER_SECONDS);
        }
    }
}
