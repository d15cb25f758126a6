package dev.fleetmirror.coordination.mode;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One member's permits and its view of the mode, under one monitor: a permit is granted only while
 * the mode is read-write, and a drain that starts sees every permit granted before it.
 */
final class MemberPermits {
    private ClusterMode mode = ClusterMode.READ_WRITE;
    private boolean holding;
    private int inFlight;
    private long held;
    private long refused;
    private long longestMillis;
    private int waiting;

    synchronized ClusterMode mode() {
        return mode;
    }

    /** Mode and whether refused writes wait, at once: a write never sees the one without the other. */
    synchronized void set(ClusterMode next, boolean hold) {
        mode = next;
        holding = hold;
    }

    synchronized boolean holdsWrites() {
        return holding && mode != ClusterMode.READ_WRITE;
    }

    synchronized void holdStarted() {
        waiting++;
    }

    synchronized void holdEnded(long millis, boolean granted) {
        waiting--;
        if (granted) {
            held++;
        } else {
            refused++;
        }
        longestMillis = Math.max(longestMillis, millis);
    }

    /** The holds counted since the last reset; {@code reset} starts counting anew. */
    synchronized Holds holds(boolean reset) {
        Holds holds = new Holds(held, refused, longestMillis, waiting);
        if (reset) {
            held = 0;
            refused = 0;
            longestMillis = 0;
        }
        return holds;
    }

    synchronized Optional<WritePermit> tryAcquire() {
        if (mode != ClusterMode.READ_WRITE) {
            return Optional.empty();
        }
        inFlight++;
        AtomicBoolean closed = new AtomicBoolean();
        return Optional.of(() -> {
            if (closed.compareAndSet(false, true)) {
                release();
            }
        });
    }

    private synchronized void release() {
        inFlight--;
    }

    synchronized int inFlight() {
        return inFlight;
    }

    /** Stops granting permits (unless read-only already) and says how many are still out. */
    synchronized int drainStarted() {
        if (mode == ClusterMode.READ_WRITE) {
            mode = ClusterMode.DRAINING;
        }
        return inFlight;
    }

    /** As {@link #drainStarted()}, saying whether the writes it refuses are to wait (a GC's window). */
    synchronized int drainStarted(boolean hold) {
        if (mode == ClusterMode.READ_WRITE) {
            holding = hold;
        }
        return drainStarted();
    }
}
