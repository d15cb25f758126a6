package dev.fleetmirror.coordination.mode;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One member's permits and its view of the mode, under one monitor: a permit is granted only while
 * the mode is read-write, and a drain that starts sees every permit granted before it.
 */
final class MemberPermits {
    private ClusterMode mode = ClusterMode.READ_WRITE;
    private int inFlight;

    synchronized ClusterMode mode() {
        return mode;
    }

    synchronized void set(ClusterMode next) {
        mode = next;
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
}
