package dev.fleetmirror.coordination.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.hazelcast.core.HazelcastInstance;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Three real Hazelcast members over loopback in this JVM, each with its own {@link RateLimits},
 * sharing one limit per upstream. Each test uses its own upstream name, so their states never mix.
 */
class HazelcastRateLimitsTest {
    private static LoopbackMembers cluster;
    private static final List<RateLimits> limits = new ArrayList<>();

    @BeforeAll
    static void startThreeMembers() {
        cluster = new LoopbackMembers();
        for (int i = 0; i < 3; i++) {
            limits.add(RateLimits.on(cluster.start()));
        }
    }

    @AfterAll
    static void stopMembers() {
        limits.forEach(RateLimits::close);
        if (cluster != null) {
            cluster.close();
        }
    }

    /**
     * Hammered until they have 11 permits between them, three members take as long as one bucket
     * of 1 at once plus 5 a second allows (give or take a token at either end): the rate is the
     * cluster's, not each member's, and the members get it. Bounded by grants, not by a window of
     * wall time, in which a starved thread asked too late to see a token (seen with two test JVMs
     * on a busy 2-core machine: 7 of 462 asks granted in 2 s).
     */
    @Test
    void threeMembersHammeringGetTheClusterWideRateTogether() throws Exception {
        RateLimit fivePerSecond = RateLimit.requests(new RequestRate(5, 1), Duration.ZERO);
        List<RateLimiter> limiters = limits.stream().map(l -> l.limiter("hammered", fivePerSecond)).toList();
        int wanted = 11;
        AtomicInteger granted = new AtomicInteger();
        AtomicInteger asked = new AtomicInteger();
        ExecutorService threads = Executors.newFixedThreadPool(limiters.size());
        long start = System.nanoTime();
        try {
            List<Future<?>> hammering = new ArrayList<>();
            for (RateLimiter limiter : limiters) {
                hammering.add(threads.submit(() -> {
                    while (granted.get() < wanted) {
                        asked.incrementAndGet();
                        if (limiter.requestPermit(Duration.ZERO).toCompletableFuture().get(5, TimeUnit.SECONDS)
                                instanceof RequestPermit.Granted) {
                            granted.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> member : hammering) {
                member.get(60, TimeUnit.SECONDS);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            int got = granted.get();
            assertThat(got).as("members stop once %d were granted between them", wanted)
                    .isBetween(wanted, wanted + limiters.size() - 1);
            assertThat(seconds).as("seconds for %d permits at 1 at once plus 5 a second (%d asked)", got, asked.get())
                    .isGreaterThanOrEqualTo((got - 3) / 5.0)
                    // Generous, for a busy machine: tokens come with time, not with CPU. Catches a limiter far below its rate.
                    .isLessThan(got / 5.0 + 10);
            assertThat(asked.get()).as("asked far more than the limit, or the test proves nothing").isGreaterThan(100);
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void membersAskingTogetherAreSpacedOneIntervalApartAcrossTheCluster() throws Exception {
        RateLimit tenPerSecond = RateLimit.requests(new RequestRate(10, 1), Duration.ofSeconds(5));
        List<CompletableFuture<RequestPermit>> permits = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            for (RateLimits member : limits) {
                permits.add(member.limiter("spaced", tenPerSecond).requestPermit(Duration.ofSeconds(5)).toCompletableFuture());
            }
        }
        List<Long> delays = new ArrayList<>();
        for (CompletableFuture<RequestPermit> permit : permits) {
            delays.add(((RequestPermit.Granted) permit.get(5, TimeUnit.SECONDS)).delay().toMillis());
        }
        delays.sort(null);

        // Nine requests, one token at once and one every 100 ms: the last waits about 800 ms.
        for (int i = 0; i < delays.size(); i++) {
            assertThat(delays.get(i)).as("delay %d of %s", i, delays).isBetween(i * 100L - 60, i * 100L + 10);
        }
    }

    @Test
    void aThirdFillAnywhereInTheClusterWaitsUntilOneOfTwoSlotsIsReleased() throws Exception {
        RateLimit twoFills = RateLimit.concurrentFills(2, Duration.ofSeconds(10));
        FillSlot first = limits.get(0).limiter("two-slots", twoFills).fillSlot(Duration.ofSeconds(10))
                .toCompletableFuture().get(5, TimeUnit.SECONDS);
        limits.get(1).limiter("two-slots", twoFills).fillSlot(Duration.ofSeconds(10)).toCompletableFuture().get(5, TimeUnit.SECONDS);

        CompletableFuture<FillSlot> third = limits.get(2).limiter("two-slots", twoFills).fillSlot(Duration.ofSeconds(10))
                .toCompletableFuture();
        // Waiting is the behaviour: longer than the waiters' poll, so a missed signal would not explain a pass.
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3)).until(() -> !third.isDone());

        long released = System.nanoTime();
        first.release();
        third.get(3, TimeUnit.SECONDS);
        assertThat(Duration.ofNanos(System.nanoTime() - released)).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void aFillThatFindsNoSlotWithinItsBoundFailsWithTheLimit() {
        RateLimit oneFill = RateLimit.concurrentFills(1, Duration.ofMillis(500));
        limits.get(0).limiter("one-slot", oneFill).fillSlot(Duration.ofMillis(500)).toCompletableFuture().join();

        CompletableFuture<FillSlot> waiting = limits.get(1).limiter("one-slot", oneFill).fillSlot(Duration.ofMillis(500))
                .toCompletableFuture();

        assertThatThrownBy(() -> waiting.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(LimitExceededException.class);
    }

    @Test
    void theSlotsOfAKilledMemberAreFreedWithinSeconds() throws Exception {
        RateLimit twoFills = RateLimit.concurrentFills(2, Duration.ofSeconds(20));
        HazelcastInstance doomed = cluster.start();
        RateLimits doomedLimits = RateLimits.on(doomed);
        try {
            RateLimiter doomedLimiter = doomedLimits.limiter("orphaned", twoFills);
            doomedLimiter.fillSlot(Duration.ofSeconds(20)).toCompletableFuture().get(5, TimeUnit.SECONDS);
            doomedLimiter.fillSlot(Duration.ofSeconds(20)).toCompletableFuture().get(5, TimeUnit.SECONDS);
            CompletableFuture<FillSlot> survivor = limits.get(0).limiter("orphaned", twoFills)
                    .fillSlot(Duration.ofSeconds(20)).toCompletableFuture();
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> !survivor.isDone());

            long killed = System.nanoTime();
            cluster.kill(doomed);

            survivor.get(15, TimeUnit.SECONDS);
            assertThat(Duration.ofNanos(System.nanoTime() - killed)).isLessThan(Duration.ofSeconds(10));
        } finally {
            doomedLimits.close();
        }
    }
}
