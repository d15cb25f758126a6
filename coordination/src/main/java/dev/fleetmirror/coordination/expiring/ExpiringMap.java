package dev.fleetmirror.coordination.expiring;

import java.time.Duration;
import java.util.Optional;

/**
 * The one storage primitive the shared caches are built on: string entries that vanish after their
 * own time to live, with the two conditional writes that make claims and safe invalidation
 * possible. A member's memory ({@link LocalExpiringMap}) or a Hazelcast IMap
 * ({@link HazelcastExpiringMap}) holds them, so each cache's logic is written once and runs the
 * same standalone and in a cluster.
 *
 * <p>A TTL must be positive: Hazelcast reads 0 as "forever", which no cache here wants.
 */
public interface ExpiringMap {

    Optional<String> get(String key);

    /** Stores {@code value} unless the key holds one; returns the value it holds, else empty. */
    Optional<String> putIfAbsent(String key, String value, Duration ttl);

    void put(String key, String value, Duration ttl);

    /** Removes the entry only while it still holds {@code value}; true when it did. */
    boolean remove(String key, String value);

    /** A TTL Hazelcast will not read as "forever" or "the map's default". */
    static long ttlMillis(Duration ttl) {
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("a shared cache entry needs a positive TTL, not " + ttl);
        }
        return Math.max(1, ttl.toMillis());
    }
}
