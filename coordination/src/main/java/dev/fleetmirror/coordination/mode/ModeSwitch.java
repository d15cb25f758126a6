package dev.fleetmirror.coordination.mode;

import java.time.Duration;
import java.util.Optional;

/**
 * The cluster's write mode and this member's write permits. {@link #tryAcquire()} and
 * {@link #current()} are local and cheap: the request path calls them. {@link #switchTo} blocks
 * until the switch is complete (it drains writes on every member): call it on a worker thread.
 */
public interface ModeSwitch extends AutoCloseable {

    /** The mode as this member knows it. */
    ClusterMode current();

    /** A permit for one storage write, or empty unless the cluster is {@link ClusterMode#READ_WRITE}. */
    Optional<WritePermit> tryAcquire();

    /** Whether a write refused now is to wait for read-write (the cluster is read-only for a GC's window). */
    boolean holdsWrites();

    /** A write started waiting on this member. */
    void holdStarted();

    /** A write stopped waiting: it got its permit ({@code granted}) or was refused after {@code millis}. */
    void holdEnded(long millis, boolean granted);

    /** The holds of every member since the last reset; {@code reset} starts counting anew everywhere. */
    Holds holds(boolean reset) throws InterruptedException;

    /** Writes in flight on this member. */
    int inFlight();

    /**
     * Switches the cluster. To {@link ClusterMode#READ_ONLY}: refuses new permits everywhere
     * ({@link ClusterMode#DRAINING}) and waits until no member has a write in flight; when that takes
     * longer than {@code drainTimeout}, returns to {@link ClusterMode#READ_WRITE} and says why. To
     * {@link ClusterMode#READ_WRITE}: at once.
     */
    default SwitchOutcome switchTo(ClusterMode target, Duration drainTimeout) throws InterruptedException {
        return switchTo(target, drainTimeout, false);
    }

    /**
     * As {@link #switchTo(ClusterMode, Duration)}; with {@code holdWrites}, writes that find the
     * cluster draining or read-only wait for read-write (up to their bound) instead of failing at once.
     */
    SwitchOutcome switchTo(ClusterMode target, Duration drainTimeout, boolean holdWrites) throws InterruptedException;

    @Override
    void close();
}
