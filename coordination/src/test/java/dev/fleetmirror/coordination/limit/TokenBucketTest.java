package dev.fleetmirror.coordination.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenBucketTest {
    private static final long SECOND = 1_000_000_000L;
    private static final RequestRate TEN_PER_SECOND_BURST_THREE = new RequestRate(10, 3);

    @Test
    void aFreshBucketGrantsItsBurstAtOnceAndThenMakesTheNextRequestWaitOneInterval() {
        TokenBucket bucket = TokenBucket.full(TEN_PER_SECOND_BURST_THREE, 0);
        List<RequestPermit> permits = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            TokenBucket.Step step = bucket.take(TEN_PER_SECOND_BURST_THREE, 0, Duration.ofSeconds(1));
            bucket = step.bucket();
            permits.add(step.permit());
        }

        assertThat(permits.subList(0, 3)).containsOnly(RequestPermit.NOW);
        assertThat(permits.get(3)).isEqualTo(new RequestPermit.Granted(Duration.ofMillis(100)));
    }

    @Test
    void tokensComeBackWithElapsedTimeButNeverBeyondTheBurst() {
        TokenBucket empty = new TokenBucket(0, 0);

        assertThat(empty.refilled(TEN_PER_SECOND_BURST_THREE, SECOND / 4).tokens()).isCloseTo(2.5, offset(1e-9));
        assertThat(empty.refilled(TEN_PER_SECOND_BURST_THREE, 60 * SECOND).tokens()).isEqualTo(3);
    }

    @Test
    void waitingRequestsReserveSuccessiveTokensSoEachWaitsOneIntervalLongerThanThePrevious() {
        RequestRate fivePerSecond = new RequestRate(5, 1);
        TokenBucket bucket = new TokenBucket(0, 0);
        List<Duration> delays = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            TokenBucket.Step step = bucket.take(fivePerSecond, 0, Duration.ofSeconds(10));
            bucket = step.bucket();
            delays.add(((RequestPermit.Granted) step.permit()).delay());
        }

        assertThat(delays).containsExactly(Duration.ofMillis(200), Duration.ofMillis(400), Duration.ofMillis(600),
                Duration.ofMillis(800));
        assertThat(bucket.tokens()).isCloseTo(-4, offset(1e-9));
    }

    @Test
    void aRequestThatWouldWaitBeyondItsBoundIsRefusedAndTakesNothing() {
        RequestRate onePerSecond = new RequestRate(1, 1);
        TokenBucket bucket = new TokenBucket(-1, 0); // one token lent ahead: the next one is 2 s away

        TokenBucket.Step refused = bucket.take(onePerSecond, 0, Duration.ofMillis(500));
        TokenBucket.Step granted = refused.bucket().take(onePerSecond, 0, Duration.ofSeconds(2));

        assertThat(refused.permit()).isEqualTo(new RequestPermit.Refused(Duration.ofMillis(1500)));
        assertThat(refused.bucket().tokens()).isEqualTo(-1);
        assertThat(granted.permit()).isEqualTo(new RequestPermit.Granted(Duration.ofSeconds(2)));
    }

    @Test
    void aZeroBoundGrantsOnlyWhatIsThereNow() {
        RequestRate onePerSecond = new RequestRate(1, 1);
        TokenBucket bucket = TokenBucket.full(onePerSecond, 0);

        TokenBucket.Step first = bucket.take(onePerSecond, 0, Duration.ZERO);
        TokenBucket.Step second = first.bucket().take(onePerSecond, SECOND / 2, Duration.ZERO);
        TokenBucket.Step third = second.bucket().take(onePerSecond, SECOND, Duration.ZERO);

        assertThat(first.permit()).isEqualTo(RequestPermit.NOW);
        assertThat(second.permit()).isEqualTo(new RequestPermit.Refused(Duration.ofMillis(500)));
        assertThat(third.permit()).isEqualTo(RequestPermit.NOW);
    }

    @Test
    void aClockThatWentBackwardsRefillsNothingAndLaterTimeCountsFromItsNewReading() {
        RequestRate onePerSecond = new RequestRate(1, 1);
        TokenBucket bucket = new TokenBucket(0, 100 * SECOND);

        TokenBucket afterJump = bucket.refilled(onePerSecond, 40 * SECOND);
        TokenBucket later = afterJump.refilled(onePerSecond, 41 * SECOND);

        assertThat(afterJump.tokens()).isZero();
        assertThat(later.tokens()).isEqualTo(1);
    }

    @Test
    void slowRatesWaitInProportion() {
        RequestRate hundredPerSixHours = RequestRate.of(100.0 / (6 * 3600));
        TokenBucket bucket = TokenBucket.full(hundredPerSixHours, 0);

        TokenBucket.Step first = bucket.take(hundredPerSixHours, 0, Duration.ofMinutes(1));
        TokenBucket.Step second = first.bucket().take(hundredPerSixHours, 0, Duration.ofMinutes(1));

        assertThat(hundredPerSixHours.burst()).isEqualTo(1);
        assertThat(first.permit()).isEqualTo(RequestPermit.NOW);
        assertThat(((RequestPermit.Refused) second.permit()).retryAfter().toMillis()).isEqualTo((216 - 60) * 1000);
    }
}
