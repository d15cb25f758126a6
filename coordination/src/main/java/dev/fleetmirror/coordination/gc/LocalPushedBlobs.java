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

    public LocalPushedBlobs(Clock clock) {
        this.clock = clock;
    }

    @Override
    public boolean told(Digest blob, Duration window) {
        if (!window.isZero()) {
            Instant until = clock.instant().plus(window);
            told.merge(blob.hex(), until, (a, b) -> a.isAfter(b) ? a : b);
        }
        return !doomed.contains(blob.hex());
    }

    @Override
    public Set<String> doom(Collection<String> hexes) {
        doomed.addAll(hexes);
        Instant now = clock.instant();
        told.values().removeIf(until -> !until.isAfter(now));
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
