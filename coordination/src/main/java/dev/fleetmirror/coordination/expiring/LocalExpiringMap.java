package dev.fleetmirror.coordination.expiring;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Entries in this member's memory, for a node that is a cluster of one. Bounded: past
 * {@code maxEntries} the expired entries go first, then the least recently used.
 */
public final class LocalExpiringMap implements ExpiringMap {
    private record Entry(String value, long expiresAtNanos) {
        boolean expired(long now) {
            return now - expiresAtNanos >= 0;
        }
    }

    private final int maxEntries;
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);

    public LocalExpiringMap(int maxEntries) {
        this.maxEntries = maxEntries;
    }

    @Override
    public synchronized Optional<String> get(String key) {
        return Optional.ofNullable(live(key, System.nanoTime())).map(Entry::value);
    }

    @Override
    public synchronized Optional<String> putIfAbsent(String key, String value, Duration ttl) {
        long now = System.nanoTime();
        Entry present = live(key, now);
        if (present != null) {
            return Optional.of(present.value());
        }
        store(key, value, ttl, now);
        return Optional.empty();
    }

    @Override
    public synchronized void put(String key, String value, Duration ttl) {
        store(key, value, ttl, System.nanoTime());
    }

    @Override
    public synchronized boolean remove(String key, String value) {
        Entry present = live(key, System.nanoTime());
        if (present == null || !present.value().equals(value)) {
            return false;
        }
        entries.remove(key);
        return true;
    }

    private Entry live(String key, long now) {
        Entry entry = entries.get(key);
        if (entry != null && entry.expired(now)) {
            entries.remove(key);
            return null;
        }
        return entry;
    }

    private void store(String key, String value, Duration ttl, long now) {
        entries.put(key, new Entry(value, now + ExpiringMap.ttlMillis(ttl) * 1_000_000L));
        if (entries.size() > maxEntries) {
            entries.values().removeIf(entry -> entry.expired(now));
        }
        Iterator<Map.Entry<String, Entry>> eldest = entries.entrySet().iterator();
        while (entries.size() > maxEntries && eldest.hasNext()) {
            eldest.next();
            eldest.remove();
        }
    }
}
