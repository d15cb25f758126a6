package dev.fleetmirror.coordination.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StandaloneRateLimitsTest {
    private final RateLimits limits = RateLimits.standalone();

    @AfterEach
    void close() {
        limits.close();
    }

    @Test
    void anUpstreamWithoutLimitsGrantsEverythingAtOnce() {
        RateLimiter limiter = limits.limiter("free", new RateLimit(java.util.Optional.empty(),
                java.util.OptionalInt.empty(), Duration.ZERO));

        for (int i = 0; i < 1000; i++) {
            assertThat(now(limiter.requestPermit(Duration.ZERO))).isEqualTo(RequestPermit.NOW);
            assertThat(now(limiter.fillSlot(Duration.ZERO))).isSameAs(FillSlot.NONE);
        }
    }

    @Test
    void requestsBeyondTheBurstWaitTheirTurnOrAreRefusedPastTheirBound() {
        RateLimiter limiter = limits.limiter("rated", RateLimit.requests(new RequestRate(2, 2), Duration.ofSeconds(1)));

        RequestPermit first = now(limiter.requestPermit(Duration.ofSeconds(1)));
        RequestPermit second = now(limiter.requestPermit(Duration.ofSeconds(1)));
        RequestPermit third = now(limiter.requestPermit(Duration.ofSeconds(1)));
        RequestPermit fourth = now(limiter.requestPermit(Duration.ofMillis(100)));

        assertThat(first).isEqualTo(RequestPermit.NOW);
        assertThat(second).isEqualTo(RequestPermit.NOW);
        assertThat(((RequestPermit.Granted) third).delay()).isBetween(Duration.ofMillis(400), Duration.ofMillis(500));
        assertThat(fourth).isInstanceOf(RequestPermit.Refused.class);
        assertThat(((RequestPermit.Refused) fourth).retryAfter()).isBetween(Duration.ofMillis(800), Duration.ofMillis(900));
    }

    @Test
    void aThirdFillWaitsUntilOneOfTwoSlotsIsReleased() throws Exception {
        RateLimiter limiter = limits.limiter("fills", RateLimit.concurrentFills(2, Duration.ofSeconds(10)));
        FillSlot first = now(limiter.fillSlot(Duration.ofSeconds(10)));
        now(limiter.fillSlot(Duration.ofSeconds(10)));

        CompletableFuture<FillSlot> third = limiter.fillSlot(Duration.ofSeconds(10)).toCompletableFuture();
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> !third.isDone());

        first.release();
        first.release(); // idempotent: frees one slot, not two
        assertThat(third.get(1, TimeUnit.SECONDS)).isNotNull();
        assertThat(limiter.fillSlot(Duration.ZERO).toCompletableFuture()).isCompletedExceptionally();
    }

    @Test
    void waitersAreServedInTheOrderTheyCame() throws Exception {
        RateLimiter limiter = limits.limiter("fifo", RateLimit.concurrentFills(1, Duration.ofSeconds(10)));
        FillSlot held = now(limiter.fillSlot(Duration.ofSeconds(10)));
        CompletableFuture<FillSlot> early = limiter.fillSlot(Duration.ofSeconds(10)).toCompletableFuture();
        CompletableFuture<FillSlot> late = limiter.fillSlot(Duration.ofSeconds(10)).toCompletableFuture();

        held.release();

        early.get(1, TimeUnit.SECONDS);
        assertThat(late).isNotDone();
        early.get().release();
        late.get(1, TimeUnit.SECONDS);
    }

    @Test
    void aFillThatFindsNoSlotWithinItsBoundFailsWithTheLimitAndLeavesTheSlotsAsTheyWere() throws Exception {
        RateLimiter limiter = limits.limiter("busy", RateLimit.concurrentFills(1, Duration.ofMillis(300)));
        FillSlot held = now(limiter.fillSlot(Duration.ofMillis(300)));
        long start = System.nanoTime();

        CompletableFuture<FillSlot> waiting = limiter.fillSlot(Duration.ofMillis(300)).toCompletableFuture();

        assertThatThrownBy(() -> waiting.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(LimitExceededException.class).hasMessageContaining("busy");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(250), Duration.ofSeconds(3));
        // As it is, not in a CompletionException: callers (and Vert.x futures made of the stage) see the limit itself.
        assertThat(waiting.handle((slot, failure) -> failure).get()).isInstanceOf(LimitExceededException.class);
        held.release();
        assertThat(now(limiter.fillSlot(Duration.ZERO))).isNotNull();
    }

    @Test
    void askingForTheSameUpstreamWithAnotherLimitIsAMistake() {
        limits.limiter("twice", RateLimit.concurrentFills(1, Duration.ZERO));

        assertThat(limits.limiter("twice", RateLimit.concurrentFills(1, Duration.ZERO))).isNotNull();
        assertThatThrownBy(() -> limits.limiter("twice", RateLimit.concurrentFills(2, Duration.ZERO)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static <T> T now(java.util.concurrent.CompletionStage<T> stage) {
        CompletableFuture<T> future = stage.toCompletableFuture();
        assertThat(future).as("answered at once").isDone();
        return future.join();
    }
}
