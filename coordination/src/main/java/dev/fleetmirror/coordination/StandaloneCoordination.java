package dev.fleetmirror.coordination;

import dev.fleetmirror.coordination.cache.ManifestIndex;
import dev.fleetmirror.coordination.cache.SharedCaches;
import dev.fleetmirror.coordination.cache.TagFreshness;
import dev.fleetmirror.coordination.cache.UpstreamTokens;
import dev.fleetmirror.coordination.fill.FillLeases;
import java.util.List;
import java.util.UUID;

/**
 * A cluster of one, in memory: what a node without a {@code cluster:} section runs.
 *
 * <p>Only the shared caches are implemented on this branch; the fill leases arrive with the
 * cluster fill work, which has its own standalone implementation of them.
 */
public final class StandaloneCoordination implements Coordination {
    private final String memberId = UUID.randomUUID().toString();
    private final SharedCaches caches = SharedCaches.standalone(memberId);

    @Override
    public String memberId() {
        return memberId;
    }

    @Override
    public FillLeases fills() {
        throw new UnsupportedOperationException("standalone fill leases are not on this branch yet");
    }

    @Override
    public TagFreshness tagFreshness() {
        return caches.tagFreshness();
    }

    @Override
    public UpstreamTokens upstreamTokens() {
        return caches.upstreamTokens();
    }

    @Override
    public ManifestIndex manifestIndex() {
        return caches.manifestIndex();
    }

    @Override
    public ClusterView view() {
        return new ClusterView(ClusterSettings.DEFAULT_NAME, List.of(new ClusterView.Member(memberId, "local", "", true)), true);
    }

    @Override
    public void close() {
    }
}
