package dev.fleetmirror.node.fill;


import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.node.admin.PeerAccess;

/**
 * The node-to-node HTTP protocol of a cluster: a member that does not fill a blob itself streams
 * it from the member that does ({@code GET <peer>/_fleetmirror/peer/v1/blobs/<digest>?offset=N}),
 * while that member's fill runs. Requests carry the cluster secret when one is configured.
 */
public final class PeerProtocol {
    public static final String PREFIX = "/_fleetmirror/peer";
    static final String BLOBS = PREFIX + "/v1/blobs/";
    public static final String SECRET_HEADER = PeerAccess.SECRET_HEADER;
    /** The whole blob's size, on a peer answer that starts at an offset. */
    static final String BLOB_SIZE_HEADER = "X-Fleetmirror-Blob-Size";
    /** On a 404: the member fills nothing of that digest (any more); ask the cluster again. */
    static final String FILL_HEADER = "X-Fleetmirror-Fill";
    static final String NO_FILL = "none";

    private PeerProtocol() {
    }

    static String blobPath(Digest digest, long offset) {
        return BLOBS + digest + "?offset=" + offset;
    }
}
