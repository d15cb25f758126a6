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

    /** Writes in flight on this member. */
    int inFlight();

    /**
     * Switches the cluster. To {@link ClusterMode#READ_ONLY}: refuses new permits everywhere
     * ({@link ClusterMode#DRAINING}) and waits until no member has a write in flight; when that takes
     * longer than {@code drainTimeout}, returns to {@link ClusterMode#READ_WRITE} and says why. To
     * {@link ClusterMode#READ_WRITE}: at once.
     */
    SwitchOutcome switchTo(ClusterMode target, Duration drainTimeout) throws InterruptedException;

    @Override
    void close();
}
