package dev.fleetmirror.coordination.limit;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;

/**
 * What the standalone and the Hazelcast limiter share: the upstream, its limit, the shortcuts of a
 * limit without a rate or without a fill cap, and the waiters for a fill slot. Where the bucket and
 * the fill count live is the subclass's.
 */
abstract class BaseRateLimiter implements RateLimiter, SlotWaiters.Slots {
    final String upstream;
    final RateLimit limit;
    final SlotWaiters waiters;

    BaseRateLimiter(String upstream, RateLimit limit, ScheduledExecutorService timers) {
        this.upstream = upstream;
        this.limit = limit;
        this.waiters = new SlotWaiters(upstream, limit.concurrentFills().orElse(0), this, timers);
    }

    /**
     * The limiter of {@code upstream} in {@code limiters}, made by {@code make} on first use. An
     * upstream has one limit: asking again with another is a configuration error.
     */
    static <L extends BaseRateLimiter> L limiterOf(Map<String, L> limiters, String upstream, RateLimit limit,
                                                   Function<String, L> make) {
        L limiter = limiters.computeIfAbsent(upstream, make);
        if (!limiter.limit.equals(limit)) {
            throw new IllegalArgumentException("upstream " + upstream + " is limited already, to " + limiter.limit);
        }
        return limiter;
    }

    /** Takes a token of the upstream's bucket, or says how long to wait for one (at most {@code maxWait}). */
    abstract CompletionStage<RequestPermit> takeRequestToken(RequestRate rate, Duration maxWait);

    @Override
    public final String upstream() {
        return upstream;
    }

    @Override
    public final RateLimit limit() {
        return limit;
    }

    @Override
    public final CompletionStage<RequestPermit> requestPermit(Duration maxWait) {
        if (limit.requests().isEmpty()) {
            return CompletableFuture.completedFuture(RequestPermit.NOW);
        }
        return takeRequestToken(limit.requests().get(), maxWait);
    }

    @Override
    public final CompletionStage<FillSlot> fillSlot(Duration maxWait) {
        if (limit.concurrentFills().isEmpty()) {
            return CompletableFuture.completedFuture(FillSlot.NONE);
        }
        return waiters.acquire(maxWait);
    }
}
