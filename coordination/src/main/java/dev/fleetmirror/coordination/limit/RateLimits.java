package dev.fleetmirror.coordination.limit;

import com.hazelcast.core.HazelcastInstance;

/**
 * The shared upstream rate limiter: per upstream, a token bucket of requests and a count of
 * concurrent blob fills, cluster-wide, so that a fleet of nodes stays under an upstream's pull
 * limits (Docker Hub's above all) however many nodes it has. A standalone node keeps both in memory.
 */
public interface RateLimits extends AutoCloseable {

    /**
     * The limiter of {@code upstream}; asking again for the same upstream returns the same limiter.
     * Members share the limit's state by upstream name, each applying the limit it was configured with.
     *
     * @throws IllegalArgumentException when asked again for the upstream with another limit
     */
    RateLimiter limiter(String upstream, RateLimit limit);

    /** Stops this member's waits (pending ones fail) and its timers; the state of other members stays. */
    @Override
    void close();

    /** In memory, for a node without a cluster. */
    static RateLimits standalone() {
        return new StandaloneRateLimits();
    }

    /** Shared through {@code hazelcast}'s maps; the instance stays the caller's to shut down. */
    static RateLimits on(HazelcastInstance hazelcast) {
        return new HazelcastRateLimits(hazelcast);
    }
}
