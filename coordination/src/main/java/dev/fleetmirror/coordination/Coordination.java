package dev.fleetmirror.coordination;

import dev.fleetmirror.coordination.manifest.ManifestIndex;
import dev.fleetmirror.coordination.SharedCaches;
import dev.fleetmirror.coordination.tag.TagFreshness;
import dev.fleetmirror.coordination.token.UpstreamTokens;
import dev.fleetmirror.coordination.fill.FillLeases;
import dev.fleetmirror.coordination.gc.GcRuns;
import dev.fleetmirror.coordination.mode.ModeSwitch;
import dev.fleetmirror.coordination.limit.RateLimits;

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
    RateLimits limits();

    /** The caches shared with the other members (or, standalone, kept in this one). */
    SharedCaches caches();

    /** When mirrored tags were last confirmed upstream: one upstream check per tag per TTL, cluster-wide. */
    default TagFreshness tagFreshness() {
        return caches().tagFreshness();
    }

    /** Upstream bearer tokens one member fetched, for the others to reuse until they expire. */
    default UpstreamTokens upstreamTokens() {
        return caches().upstreamTokens();
    }

    /** Where tags point and which manifests repositories hold, so hot manifest reads skip storage. */
    default ManifestIndex manifestIndex() {
        return caches().manifestIndex();
    }

    /** Which blobs repositories link (and which they do not), so warm blob reads skip storage's stats. */
    default dev.fleetmirror.coordination.blob.BlobIndex blobIndex() {
        return caches().blobIndex();
    }

    /** The cluster's write mode (read-write, draining, read-only) and this member's write permits. */
    ModeSwitch mode();

    /** The cluster's single garbage-collection run, and who ends it when its member dies. */
    GcRuns gcRuns();

    /** The cluster's journal of link writes, on while a GC marks. */
    dev.fleetmirror.coordination.gc.WriteJournal journal();

    /** Members, the oldest, and whether the quorum ({@code minimumSize}) is met. */
    ClusterView view();

    /**
     * Publishes this member's peer base URL (e.g. {@code http://10.0.0.5:5000}) to the others. The
     * node calls it once its HTTP server listens, since only then is the port known; fill claims
     * made afterwards carry it. May block briefly on the network: call it on a worker thread.
     */
    void advertise(String peerUrl);

    @Override
    void close();
}
