package dev.fleetmirror.coordination.limit;

import java.io.Serializable;
import java.time.Duration;

/**
 * The arithmetic of a token bucket that lends ahead. A request that finds a token takes it; one that
 * finds none reserves the next token to come, driving the count below zero, and is told how long to
 * wait for it. It therefore never asks again: one atomic step per request, whoever else asks
 * meanwhile, which is what lets a cluster keep the bucket in one map entry. A request that would
 * wait longer than it may reserves nothing, so a refused request costs the others nothing.
 *
 * <p>Time is whatever nanosecond clock the holder keeps (a member's wall clock in a cluster, since
 * the entry may move between members). A clock that went backwards refills nothing.
 *
 * @param tokens  tokens in the bucket at {@code at}; negative while tokens are lent ahead
 * @param at      when {@code tokens} was true, in the holder's clock (nanoseconds)
 */
public record TokenBucket(double tokens, long at) implements Serializable {

    /** The bucket's state after one request and what that request was told. */
    public record Step(TokenBucket bucket, RequestPermit permit) implements Serializable {
    }

    /** A bucket nobody used yet: a whole burst is available. */
    public static TokenBucket full(RequestRate rate, long now) {
        return new TokenBucket(rate.burst(), now);
    }

    /** The bucket at {@code now}: refilled for the time passed, never above the burst. */
    public TokenBucket refilled(RequestRate rate, long now) {
        long elapsed = Math.max(0, now - at);
        return new TokenBucket(Math.min(rate.burst(), tokens + elapsed / rate.nanosPerToken()), now);
    }

    /** One request arriving at {@code now} that may wait at most {@code maxWait}. */
    public Step take(RequestRate rate, long now, Duration maxWait) {
        TokenBucket current = refilled(rate, now);
        if (current.tokens >= 1) {
            return new Step(new TokenBucket(current.tokens - 1, now), RequestPermit.NOW);
        }
        long wait = (long) Math.ceil((1 - current.tokens) * rate.nanosPerToken());
        long bound = nanos(maxWait);
        if (wait > bound) {
            return new Step(current, new RequestPermit.Refused(Duration.ofNanos(wait - bound)));
        }
        return new Step(new TokenBucket(current.tokens - 1, now), new RequestPermit.Granted(Duration.ofNanos(wait)));
    }

    /** {@code duration} in nanoseconds, saturated (a bound of centuries is just "no bound"). */
    static long nanos(Duration duration) {
        try {
            return duration.toNanos();
        } catch (ArithmeticException tooLong) {
            return duration.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }
}
