package dev.fleetmirror.coordination.limit;

import java.io.Serializable;

/**
 * How fast requests may go to one upstream, cluster-wide: a token bucket refilled at
 * {@code perSecond} tokens a second and holding at most {@code burst}, so a quiet upstream can take
 * {@code burst} requests at once and then {@code perSecond} a second.
 *
 * @param perSecond tokens added per second; fractions express slow limits (Docker Hub's anonymous
 *                  100 pulls per 6 hours is about 0.0046)
 * @param burst     the bucket's size, at least 1
 */
public record RequestRate(double perSecond, int burst) implements Serializable {

    public RequestRate {
        if (!(perSecond > 0) || Double.isInfinite(perSecond)) {
            throw new IllegalArgumentException("requests per second must be a number above 0, is " + perSecond);
        }
        if (burst < 1) {
            throw new IllegalArgumentException("burst must be at least 1, is " + burst);
        }
    }

    /** A bucket holding one second's worth of tokens (at least one). */
    public static RequestRate of(double perSecond) {
        return new RequestRate(perSecond, (int) Math.max(1, Math.ceil(perSecond)));
    }

    /** Nanoseconds in which one token is added. */
    double nanosPerToken() {
        return 1e9 / perSecond;
    }
}
