package dev.fleetmirror.coordination.expiring;

import java.time.Duration;
import java.util.UUID;

/**
 * Generation ids kept in an {@link ExpiringMap}, one per key: the indexes file their entries under
 * the current generation, so starting a new one when what a key covers changed drops all of them at
 * once, on every member. The first member to ask for a key's generation starts it; the others take
 * that one.
 */
public final class Generations {
    private final ExpiringMap map;
    private final Duration ttl;

    public Generations(ExpiringMap map, Duration ttl) {
        this.map = map;
        this.ttl = ttl;
    }

    /** The key's current generation, started now if it has none (or its last one expired). */
    public String current(String key) {
        return map.get(key).orElseGet(() -> {
            String started = UUID.randomUUID().toString();
            return map.putIfAbsent(key, started, ttl).orElse(started);
        });
    }

    /** Starts a new generation of the key: what was filed under the old one is no longer found. */
    public void renew(String key) {
        map.put(key, UUID.randomUUID().toString(), ttl);
    }
}
