package dev.fleetmirror.coordination.gc;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One member's side of the {@link WriteJournal}: whether it records, and the link writes it has in
 * flight that it did not record, under one monitor, so that switching recording on can wait for
 * exactly the writes that could have slipped past the GC's listing unrecorded. Both journals extend
 * it, so storage's {@link #writing} is this one method; each says where a recorded path goes
 * ({@link #record}) and how recording is switched on every member.
 */
abstract class MemberJournal implements WriteJournal {
    /** Private, not {@code this}: the journals are public objects anybody could lock. */
    private final Object monitor = new Object();
    private boolean on;
    private int unrecorded;

    /** Records {@code path} where the journal keeps the cluster's paths; called before the write. */
    abstract void record(String path);

    @Override
    public final Writing writing(String path, boolean link) {
        boolean record;
        synchronized (monitor) {
            record = on;
            if (!record && link) {
                unrecorded++;
            }
        }
        if (record) {
            // Before the write: a write whose record failed does not happen.
            record(path);
            return Writing.NONE;
        }
        if (!link) {
            return Writing.NONE;
        }
        AtomicBoolean over = new AtomicBoolean();
        return () -> {
            if (over.compareAndSet(false, true)) {
                ended();
            }
        };
    }

    private void ended() {
        synchronized (monitor) {
            unrecorded--;
            monitor.notifyAll();
        }
    }

    /** Records from now on; true once no unrecorded link write is in flight, false if the wait timed out. */
    final boolean on(long timeoutMillis) throws InterruptedException {
        synchronized (monitor) {
            on = true;
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            while (unrecorded > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(monitor, left);
            }
            return true;
        }
    }

    final void off() {
        synchronized (monitor) {
            on = false;
        }
    }
}
