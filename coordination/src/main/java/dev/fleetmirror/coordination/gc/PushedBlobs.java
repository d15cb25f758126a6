package dev.fleetmirror.coordination.gc;

import dev.fleetmirror.core.digest.Digest;
import java.time.Duration;
import java.util.Collection;
import java.util.Set;

/**
 * The blobs pushes were told of lately: found by a HEAD in a repository the client may push to,
 * uploaded, or mounted. A client told a blob exists does not upload it again, and names it in its
 * manifest minutes later; a GC keeps such a blob for the push window after it was last told of,
 * whatever its grace window, so that the manifest finds it (GC-PROTOCOL.md).
 *
 * <p>While a sweep deletes, the blobs it deletes are published as <em>doomed</em>, and a HEAD for
 * one answers "unknown": no client hears "exists" of a blob that is about to go. The two sides
 * order their steps so that one of them always sees the other: a push records before it looks at
 * the doomed blobs, and the sweep publishes them before it reads what pushes recorded.
 */
public interface PushedBlobs {

    /**
     * A push is being told of {@code blob} (before it is answered): remembered for {@code window}
     * (nothing when it is zero).
     *
     * @return false when a sweep in progress is deleting the blob: the answer is that it is unknown
     */
    boolean told(Digest blob, Duration window);

    /**
     * The sweep, before it deletes: publishes {@code hexes} (sha256 digests, hex) as doomed, then
     * answers those a push was told of within its window, which the sweep keeps.
     */
    Set<String> doom(Collection<String> hexes);

    /** The sweep is over and the caches forgot what it deleted: nothing is doomed any more. */
    void lift();

    /** A doomed blob that no sweep lifted (its member died) stops being doomed after this long. */
    Duration DOOMED_AT_MOST = Duration.ofMinutes(10);
}
