package dev.fleetmirror.core.storage;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the backend requests a piece of work makes, by kind ("get", "list", "walk", "delete"...),
 * on the threads it binds: a driver calls {@link #count} once per request it sends (a page of a
 * listing is a request), and the count lands on the tally of the calling thread, if any. The GC
 * binds one to its threads, so its report says what it cost without counting anyone else's pulls.
 */
public final class RequestTally {
    private static final ThreadLocal<RequestTally> CURRENT = new ThreadLocal<>();
    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

    /** Called by drivers for every request they send; the kind is the first word of {@code operation}. */
    public static void count(String operation) {
        RequestTally tally = CURRENT.get();
        if (tally != null) {
            String trimmed = operation.trim();
            int space = trimmed.indexOf(' ');
            String kind = space < 0 ? trimmed : trimmed.substring(0, space);
            tally.counts.computeIfAbsent(kind, k -> new LongAdder()).increment();
        }
    }

    /** Counts this thread's requests here until {@link #unbind()}. */
    public void bind() {
        CURRENT.set(this);
    }

    public static void unbind() {
        CURRENT.remove();
    }

    /** Runs {@code work} with this tally bound to the calling thread. */
    public <T> T during(java.util.concurrent.Callable<T> work) throws Exception {
        RequestTally previous = CURRENT.get();
        CURRENT.set(this);
        try {
            return work.call();
        } finally {
            if (previous == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(previous);
            }
        }
    }

    /** Requests so far, by kind, sorted by name. */
    public Map<String, Long> snapshot() {
        Map<String, Long> copy = new TreeMap<>();
        counts.forEach((kind, count) -> copy.put(kind, count.sum()));
        return copy;
    }

    public long total() {
        return counts.values().stream().mapToLong(LongAdder::sum).sum();
    }
}
