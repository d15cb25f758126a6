package dev.fleetmirror.coordination.limit;

import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * The cluster-wide limits of one upstream, as this member takes part in them. Nothing here blocks
 * the caller: answers come as {@link CompletionStage}s, completed on threads of the limiter (or at
 * once), so an event loop may call it and continue on its own context.
 */
public interface RateLimiter {

    String upstream();

    RateLimit limit();

    /**
     * Asks for one request's token. The answer never asks the caller to wait longer than
     * {@code maxWait}: a request that would is {@link RequestPermit.Refused refused} and takes nothing.
     * Without a request rate every request is granted at once.
     */
    CompletionStage<RequestPermit> requestPermit(Duration maxWait);

    /**
     * Takes one of the upstream's concurrent-fill slots, waiting for one to be released for at most
     * {@code maxWait}; past that the stage fails with {@link LimitExceededException}. Without a fill
     * limit it completes at once with {@link FillSlot#NONE}.
     */
    CompletionStage<FillSlot> fillSlot(Duration maxWait);
}
