package dev.fleetmirror.coordination;

import dev.fleetmirror.coordination.fill.FillLeases;
import dev.fleetmirror.coordination.limit.UpstreamLimits;

/**
 * What a node shares with the other members of its cluster. A node without a {@code cluster:}
 * section gets the standalone implementation (in-memory, one member, no network); a node with one
 * embeds a Hazelcast member. Every shared piece has both implementations behind one interface, so
 * the node's code has one path.
 */
public interface Coordination extends AutoCloseable {

    /** This member's id, stable for its lifetime (the Hazelcast member UUID in a cluster). */
    String memberId();

    /** The in-flight registry of blob fills. */
    FillLeases fills();

    /** The upstream rate limiter: request rate and concurrent fills per upstream, cluster-wide. */
    UpstreamLimits limits();

    /** Members, the oldest, and whether the quorum ({@code minimumSize}) is met. */
    ClusterView view();

    @Override
    void close();
}
