package dev.fleetmirror.coordination;

import dev.fleetmirror.coordination.gc.LocalGcRuns;
import dev.fleetmirror.coordination.gc.LocalPushedBlobs;
import dev.fleetmirror.coordination.gc.LocalWriteJournal;
import dev.fleetmirror.coordination.mode.LocalModeSwitch;
import dev.fleetmirror.coordination.fill.LocalFillLeases;
import dev.fleetmirror.coordination.limit.RateLimits;
import java.util.List;
import java.util.UUID;

/**
 * The coordination of a node without a {@code cluster:} section: a cluster of one, in memory. It
 * opens no socket and costs nothing at start-up, and it keeps the contracts of the Hazelcast
 * implementation, so the node runs the same code either way.
 */
public final class StandaloneCoordination implements Coordination {
    private final String memberId = UUID.randomUUID().toString();
    private final String name;
    private volatile String peerUrl;
    private final LocalFillLeases fills;
    private final RateLimits limits = RateLimits.standalone();
    private final SharedCaches caches = SharedCaches.standalone(memberId);
    private final LocalGcRuns gcRuns = new LocalGcRuns(memberId);
    private final LocalModeSwitch mode = new LocalModeSwitch();
    private final SharedParts parts;

    public StandaloneCoordination() {
        this(ClusterSettings.standalone());
    }

    /** Takes the name and initial peer URL of {@code settings}; nothing else applies to one member. */
    public StandaloneCoordination(ClusterSettings settings) {
        this.name = settings.name();
        this.peerUrl = settings.peerUrl();
        this.fills = new LocalFillLeases(memberId, () -> peerUrl);
        this.parts = new SharedParts(memberId, fills, limits, caches, gcRuns, new LocalWriteJournal(),
                new LocalPushedBlobs(java.time.Clock.systemUTC()), mode);
    }

    @Override
    public SharedParts parts() {
        return parts;
    }

    @Override
    public ClusterView view() {
        return new ClusterView(name, List.of(new ClusterView.Member(memberId, "", peerUrl, true)), true);
    }

    @Override
    public void advertise(String peerUrl) {
        this.peerUrl = peerUrl;
    }

    @Override
    public void close() {
        try {
            fills.close();
        } finally {
            limits.close();
            gcRuns.close();
        }
    }
}
