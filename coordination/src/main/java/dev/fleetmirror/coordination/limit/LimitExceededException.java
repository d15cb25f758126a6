package dev.fleetmirror.coordination.limit;

import java.time.Duration;

/** No slot of an upstream's concurrent fills became free within the wait a request may spend. */
public final class LimitExceededException extends RuntimeException {
    private final String upstream;
    private final Duration retryAfter;

    public LimitExceededException(String upstream, String message, Duration retryAfter) {
        super(message, null, false, false);
        this.upstream = upstream;
        this.retryAfter = retryAfter;
    }

    public String upstream() {
        return upstream;
    }

    /** How long a client should wait before it tries again. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
