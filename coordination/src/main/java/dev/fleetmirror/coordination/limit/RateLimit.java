package dev.fleetmirror.coordination.limit;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What the members of a cluster together may ask of one upstream (an upstream's {@code ratelimit}
 * config section). Each part is optional: an absent part does not limit.
 *
 * @param requests        the rate of requests (every request to the upstream takes a token)
 * @param concurrentFills how many blob fills may run against the upstream at once
 * @param maxWait         the longest a request waits for its permit and slot together; a request
 *                        that would wait longer is refused at once
 */
public record RateLimit(Optional<RequestRate> requests, OptionalInt concurrentFills, Duration maxWait) {

    public static final Duration DEFAULT_MAX_WAIT = Duration.ofSeconds(30);

    public RateLimit {
        Objects.requireNonNull(requests, "requests");
        Objects.requireNonNull(concurrentFills, "concurrentFills");
        Objects.requireNonNull(maxWait, "maxWait");
        if (concurrentFills.isPresent() && concurrentFills.getAsInt() < 1) {
            throw new IllegalArgumentException("concurrent fills must be at least 1, is " + concurrentFills.getAsInt());
        }
        if (maxWait.isNegative()) {
            throw new IllegalArgumentException("the longest wait must not be negative, is " + maxWait);
        }
    }

    public static RateLimit requests(RequestRate rate, Duration maxWait) {
        return new RateLimit(Optional.of(rate), OptionalInt.empty(), maxWait);
    }

    public static RateLimit concurrentFills(int fills, Duration maxWait) {
        return new RateLimit(Optional.empty(), OptionalInt.of(fills), maxWait);
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder();
        requests.ifPresent(r -> text.append(r.perSecond()).append(" req/s (burst ").append(r.burst()).append(") "));
        concurrentFills.ifPresent(f -> text.append(f).append(" concurrent fills "));
        return text.append("waiting at most ").append(maxWait.toMillis()).append(" ms").toString();
    }
}
