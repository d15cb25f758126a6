package dev.fleetmirror.coordination.expiring;

import com.hazelcast.config.EvictionConfig;
import com.hazelcast.config.EvictionPolicy;
import com.hazelcast.config.InMemoryFormat;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MaxSizePolicy;
import com.hazelcast.config.NearCacheConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Entries in a Hazelcast IMap shared by every member. Each key lives on one partition owner, so a
 * read that follows a completed write on any member sees it. The map's configuration is added at
 * run time (dynamic configuration reaches every member) unless the member's static configuration
 * already names the map.
 *
 * <p>A near-cached map keeps read entries on every member and is invalidated on change; Hazelcast
 * sends those invalidations asynchronously, in batches (up to 10 s apart by default), so only maps
 * whose entries never change once written (or for which a late invalidation is harmless) may be
 * near-cached.
 *
 * <p>Hazelcast keeps expiry times in whole seconds and rounds them down, so an entry would end up
 * to a second before its TTL: a second is added, and entries end up to a second after it instead
 * (a tag is then never re-checked before its TTL, at worst a second later).
 */
public final class HazelcastExpiringMap implements ExpiringMap {
    private static final long EXPIRY_RESOLUTION_MILLIS = 1_000;
    private final IMap<String, String> map;

    /**
     * @param maxEntriesPerMember past this many entries on a member, its least recently used go
     * @param nearCache           keep up to this many read entries on each member (0: none)
     */
    public HazelcastExpiringMap(HazelcastInstance hazelcast, String name, int maxEntriesPerMember, int nearCache) {
        if (hazelcast.getConfig().getMapConfigOrNull(name) == null) {
            MapConfig config = new MapConfig(name)
                    .setBackupCount(1)
                    .setEvictionConfig(new EvictionConfig()
                            .setEvictionPolicy(EvictionPolicy.LRU)
                            .setMaxSizePolicy(MaxSizePolicy.PER_NODE)
                            .setSize(maxEntriesPerMember));
            if (nearCache > 0) {
                config.setNearCacheConfig(new NearCacheConfig(name)
                        .setInMemoryFormat(InMemoryFormat.OBJECT)
                        .setInvalidateOnChange(true)
                        .setCacheLocalEntries(true)
                        .setEvictionConfig(new EvictionConfig()
                                .setEvictionPolicy(EvictionPolicy.LRU)
                                .setMaxSizePolicy(MaxSizePolicy.ENTRY_COUNT)
                                .setSize(nearCache)));
            }
            hazelcast.getConfig().addMapConfig(config);
        }
        this.map = hazelcast.getMap(name);
    }

    @Override
    public Optional<String> get(String key) {
        return Optional.ofNullable(map.get(key));
    }

    @Override
    public Optional<String> putIfAbsent(String key, String value, Duration ttl) {
        return Optional.ofNullable(map.putIfAbsent(key, value, ttlMillis(ttl), TimeUnit.MILLISECONDS));
    }

    @Override
    public void put(String key, String value, Duration ttl) {
        map.set(key, value, ttlMillis(ttl), TimeUnit.MILLISECONDS);
    }

    private static long ttlMillis(Duration ttl) {
        return ExpiringMap.ttlMillis(ttl) + EXPIRY_RESOLUTION_MILLIS;
    }

    @Override
    public boolean remove(String key, String value) {
        return map.remove(key, value);
    }
}
