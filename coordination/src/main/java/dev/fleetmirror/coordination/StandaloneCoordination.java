package dev.fleetmirror.coordination;

import dev.fleetmirror.coordination.fill.FillLeases;
import dev.fleetmirror.coordination.fill.LocalFillLeases;
import java.util.List;
import java.util.UUID;

/** A cluster of one, in memory: what a node without a {@code cluster:} section runs. */
public final class StandaloneCoordination implements Coordination {
    private final String memberId = UUID.randomUUID().toString();
    private final LocalFillLeases fills = new LocalFillLeases(memberId, "");

    @Override
    public String memberId() {
        return memberId;
    }

    @Override
    public FillLeases fills() {
        return fills;
    }

    @Override
    public ClusterView view() {
        return new ClusterView(ClusterSettings.DEFAULT_NAME, List.of(new ClusterView.Member(memberId, "local", "", true)), true);
    }

    @Override
    public void close() {
        fills.close();
    }
}
