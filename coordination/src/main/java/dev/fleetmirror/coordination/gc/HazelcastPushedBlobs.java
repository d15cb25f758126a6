package dev.fleetmirror.coordination.gc;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import dev.fleetmirror.core.digest.Digest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * {@link PushedBlobs} in two IMaps: {@code fleetmirror.gc.told} (digest hex to when, each entry
 * living for its push window) and {@code fleetmirror.gc.doomed} (digest hex to when the sweep
 * doomed it). Each map operation is linearizable on its key's owner, and each side waits for its
 * first operation before the second, so a push and a sweep never both miss the other.
 */
public final class HazelcastPushedBlobs implements PushedBlobs {
    public static final String TOLD = "fleetmirror.gc.told";
    public static final String DOOMED = "fleetmirror.gc.doomed";
    /** Keys per bulk call: each is split by partition, so one call is one round per member. */
    private static final int BATCH = 1000;

    private final IMap<String, Long> told;
    private final IMap<String, Long> doomed;

    public HazelcastPushedBlobs(HazelcastInstance hazelcast) {
        this.told = hazelcast.getMap(TOLD);
        this.doomed = hazelcast.getMap(DOOMED);
    }

    @Override
    public boolean told(Digest blob, Duration window) {
        String hex = blob.hex();
        long now = System.currentTimeMillis();
        if (!window.isZero()) {
            told.set(hex, now, window.toMillis(), TimeUnit.MILLISECONDS);
        }
        Long since = doomed.get(hex);
        return since == null || now - since > DOOMED_AT_MOST.toMillis();
    }

    @Override
    public Set<String> doom(Collection<String> hexes) {
        List<String> all = new ArrayList<>(hexes);
        long now = System.currentTimeMillis();
        for (int from = 0; from < all.size(); from += BATCH) {
            Map<String, Long> batch = new HashMap<>();
            for (String hex : all.subList(from, Math.min(all.size(), from + BATCH))) {
                batch.put(hex, now);
            }
            doomed.putAll(batch);
        }
        Set<String> spared = new HashSet<>();
        for (int from = 0; from < all.size(); from += BATCH) {
            spared.addAll(told.getAll(new HashSet<>(all.subList(from, Math.min(all.size(), from + BATCH)))).keySet());
        }
        return spared;
    }

    @Override
    public void lift() {
        doomed.clear();
    }
}
