package dev.fleetmirror.coordination;

import dev.fleetmirror.coordination.manifest.ManifestIndex;
import dev.fleetmirror.coordination.tag.TagFreshness;
import dev.fleetmirror.coordination.token.UpstreamTokens;
import dev.fleetmirror.coordination.fill.FillLeases;
import dev.fleetmirror.coordination.gc.GcRuns;
import dev.fleetmirror.coordination.gc.PushedBlobs;
import dev.fleetmirror.coordination.gc.WriteJournal;
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
    default String memberId() {
        return parts().memberId();
    }

    /** What this member shares with the others; the methods below name each piece. */
    SharedParts parts();

    /** The in-flight registry of blob fills. */
    default FillLeases fills() {
        return parts().fills();
    }

    /** The upstream rate limiter: request rate and concurrent fills per upstream, cluster-wide. */
    default RateLimits limits() {
        return parts().limits();
    }

    /** The caches shared with the other members (or, standalone, kept in this one). */
    default SharedCaches caches() {
        return parts().caches();
    }

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
    default ModeSwitch mode() {
        return parts().mode();
    }

    /** The cluster's single garbage-collection run, and who ends it when its member dies. */
    default GcRuns gcRuns() {
        return parts().gcRuns();
    }

    /** The cluster's journal of link writes, on while a GC marks. */
    default WriteJournal journal() {
        return parts().journal();
    }

    /** The blobs pushes were told of lately, which a GC keeps; and those a sweep is deleting. */
    default PushedBlobs pushedBlobs() {
        return parts().pushed();
    }

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
