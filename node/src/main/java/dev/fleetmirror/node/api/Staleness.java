package dev.fleetmirror.node.api;

import io.vertx.core.http.HttpServerResponse;

import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * Lets a registry service say, from deep inside a blocking call, that what it returns is a cached
 * copy it could not re-check (the upstream was down), without every service signature carrying
 * that. The endpoint runs the call inside {@link #observe} on the same worker thread and turns a
 * report into the {@value #HEADER} response header.
 */
public final class Staleness {
    public static final String HEADER = "X-Fleetmirror-Stale";

    private static final ThreadLocal<String[]> CURRENT = new ThreadLocal<>();

    /** A service call's result and, when the service reported one, why it is stale. */
    public record Observed<T>(T value, Optional<String> staleReason) {
    }

    private Staleness() {
    }

    /** Runs {@code call}, collecting a {@link #report} made during it on this thread. */
    public static <T> Observed<T> observe(Callable<T> call) throws Exception {
        String[] previous = CURRENT.get();
        String[] slot = new String[1];
        CURRENT.set(slot);
        try {
            T value = call.call();
            return new Observed<>(value, Optional.ofNullable(slot[0]));
        } finally {
            if (previous == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(previous);
            }
        }
    }

    /** Marks the result of the call being observed on this thread as stale; no-op outside {@link #observe}. */
    public static void report(String reason) {
        String[] slot = CURRENT.get();
        if (slot != null) {
            slot[0] = reason;
        }
    }

    /** Adds the header to {@code response} when the observed result was stale. */
    public static <T> T apply(HttpServerResponse response, Observed<T> observed) {
        observed.staleReason().ifPresent(reason -> response.putHeader(HEADER, reason));
        return observed.value();
    }
}
