package dev.fleetmirror.coordination.gc;

import dev.fleetmirror.core.digest.Digest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The {@link PushedBlobs} of a node that is its own cluster: two maps in memory. */
public final class LocalPushedBlobs implements PushedBlobs {
    /** Until when each blob told of is kept. */
    private final Map<String, Instant> told = new ConcurrentHashMap<>();
    private final Set<String> doomed = ConcurrentHashMap.newKeySet();
    private final Clock clock;
    private static final int PRUNE_EVERY = 4096;
    private final java.util.concurrent.atomic.AtomicLong calls = new java.util.concurrent.atomic.AtomicLong();

    public LocalPushedBlobs(Clock clock) {
        this.clock = clock;
    }

    @Override
    public boolean told(Digest blob, Duration window) {
        if (!window.isZero()) {
            Instant now = clock.instant();
            told.merge(blob.hex(), now.plus(window), (a, b) -> a.isAfter(b) ? a : b);
            // A node without a GC schedule may never sweep: what outlived its window goes now and then.
            if (calls.incrementAndGet() % PRUNE_EVERY == 0) {
                prune(now);
            }
        }
        return !doomed.contains(blob.hex());
    }

    private void prune(Instant now) {
        told.values().removeIf(until -> !until.isAfter(now));
    }

    @Override
    public Set<String> doom(Collection<String> hexes) {
        doomed.addAll(hexes);
        prune(clock.instant());
        Set<String> spared = new HashSet<>();
        for (String hex : hexes) {
            if (told.containsKey(hex)) {
                spared.add(hex);
            }
        }
        return spared;
    }

    @Override
    public void lift() {
        doomed.clear();
    }
}
