package dev.fleetmirror.coordination.limit;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;

/** The limits of a node without a cluster: each upstream's bucket and fill count in this JVM. */
final class StandaloneRateLimits implements RateLimits {
    private final ScheduledExecutorService timers = SlotWaiters.timers("fleetmirror-upstream-limits");
    private final Map<String, Limiter> limiters = new ConcurrentHashMap<>();

    @Override
    public RateLimiter limiter(String upstream, RateLimit limit) {
        return BaseRateLimiter.limiterOf(limiters, upstream, limit, name -> new Limiter(name, limit));
    }

    @Override
    public void close() {
        limiters.values().forEach(limiter -> limiter.waiters.close());
        timers.shutdownNow();
    }

    private final class Limiter extends BaseRateLimiter {
        private TokenBucket bucket;
        private int fills;

        Limiter(String upstream, RateLimit limit) {
            super(upstream, limit, timers);
            limit.requests().ifPresent(rate -> bucket = TokenBucket.full(rate, System.nanoTime()));
        }

        @Override
        synchronized CompletionStage<RequestPermit> takeRequestToken(RequestRate rate, Duration maxWait) {
            TokenBucket.Step step = bucket.take(rate, System.nanoTime(), maxWait);
            bucket = step.bucket();
            return CompletableFuture.completedFuture(step.permit());
        }

        @Override
        public synchronized CompletionStage<Boolean> tryTake() {
            boolean free = fills < limit.concurrentFills().getAsInt();
            if (free) {
                fills++;
            }
            return CompletableFuture.completedFuture(free);
        }

        @Override
        public synchronized CompletionStage<Void> giveBack() {
            fills = Math.max(0, fills - 1);
            return CompletableFuture.completedFuture(null);
        }
    }
}
