package dev.fleetmirror.node.upstream;

import dev.fleetmirror.coordination.limit.FillSlot;
import dev.fleetmirror.coordination.limit.LimitExceededException;
import dev.fleetmirror.coordination.limit.RequestPermit;
import dev.fleetmirror.coordination.limit.RateLimiter;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionException;

/**
 * Holds requests to one upstream back until the cluster-wide limit of that upstream lets them go:
 * a request permit for every request, and a fill slot for the whole of a blob fill. Waits are Vert.x
 * timers on the upstream's context, never a blocked thread, and never longer, together, than the
 * limit's {@code maxwait}; a request that would wait longer fails at once with 429 TOOMANYREQUESTS
 * and a Retry-After, before anything is asked upstream (so nothing can be stored).
 */
final class CallerRateLimit {
    private final Context context;
    private final String upstream;
    private final Optional<RateLimiter> limiter;

    /** @param limiter the upstream's limiter, or empty for an upstream without {@code ratelimit} */
    CallerRateLimit(Context context, String upstream, Optional<RateLimiter> limiter) {
        this.context = context;
        this.upstream = upstream;
        this.limiter = limiter;
    }

    /** When the wait of a request (or fill) starting now must end. */
    long deadline() {
        return System.nanoTime() + limiter.map(l -> l.limit().maxWait().toNanos()).orElse(0L);
    }

    /** Completes when the request may be sent; fails with {@link UpstreamException#throttled} past the deadline. */
    Future<Void> request(String what, long deadline) {
        if (limiter.isEmpty() || limiter.get().limit().requests().isEmpty()) {
            return Future.succeededFuture();
        }
        return Future.fromCompletionStage(limiter.get().requestPermit(remaining(deadline)), context)
                .compose(permit -> permit instanceof RequestPermit.Refused refused
                        ? Future.failedFuture(UpstreamException.throttled(upstream, what, "its request rate is used up",
                                refused.retryAfter()))
                        : after(((RequestPermit.Granted) permit).delay()));
    }

    /** One of the upstream's concurrent-fill slots, for the caller to release when its fill is over. */
    Future<FillSlot> fillSlot(String what, long deadline) {
        if (limiter.isEmpty() || limiter.get().limit().concurrentFills().isEmpty()) {
            return Future.succeededFuture(FillSlot.NONE);
        }
        return Future.fromCompletionStage(limiter.get().fillSlot(remaining(deadline)), context)
                .recover(failure -> {
                    Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                            ? failure.getCause() : failure;
                    return Future.failedFuture(cause instanceof LimitExceededException exceeded
                            ? UpstreamException.throttled(upstream, what, "all its concurrent fills are busy", exceeded.retryAfter())
                            : cause);
                });
    }

    private static Duration remaining(long deadline) {
        return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    }

    private Future<Void> after(Duration delay) {
        if (delay.isZero()) {
            return Future.succeededFuture();
        }
        Promise<Void> waited = Promise.promise();
        // Rounded up: a request sent early by a fraction of a millisecond would break the rate.
        long millis = (delay.toNanos() + 999_999) / 1_000_000;
        context.runOnContext(v -> context.owner().setTimer(millis, id -> waited.complete()));
        return waited.future();
    }
}
