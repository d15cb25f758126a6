package dev.fleetmirror.coordination.gc;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One member's side of the {@link WriteJournal}: whether it records, and the link writes it has in
 * flight that it did not record, under one monitor, so that switching recording on can wait for
 * exactly the writes that could have slipped past the GC's listing unrecorded.
 */
final class MemberJournal {
    private final Consumer<String> sink;
    private boolean on;
    private int unrecorded;

    MemberJournal(Consumer<String> sink) {
        this.sink = sink;
    }

    WriteJournal.Writing writing(String path, boolean link) {
        boolean record;
        synchronized (this) {
            record = on;
            if (!record && link) {
                unrecorded++;
            }
        }
        if (record) {
            // Before the write: a write whose record failed does not happen.
            sink.accept(path);
            return WriteJournal.Writing.NONE;
        }
        if (!link) {
            return WriteJournal.Writing.NONE;
        }
        AtomicBoolean over = new AtomicBoolean();
        return () -> {
            if (over.compareAndSet(false, true)) {
                ended();
            }
        };
    }

    private synchronized void ended() {
        unrecorded--;
        notifyAll();
    }

    /** Records from now on; true once no unrecorded link write is in flight, false if the wait timed out. */
    synchronized boolean on(long timeoutMillis) throws InterruptedException {
        on = true;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (unrecorded > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }

    synchronized void off() {
        on = false;
    }

    synchronized boolean recording() {
        return on;
    }
}
