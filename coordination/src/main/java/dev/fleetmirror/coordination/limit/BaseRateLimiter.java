package dev.fleetmirror.coordination.limit;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;

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
