package dev.fleetmirror.coordination.fill;

import dev.fleetmirror.core.digest.Digest;
import java.time.Instant;

/**
 * Who fills a blob now: the member holding its lease and the base URL of that member's peer
 * endpoint, where the blob can be streamed while it arrives.
 *
 * @param size   the blob's size once the owner's source answered, else -1
 * @param since  when the lease was taken
 * @param origin what the owner fetches the blob for (its upstream and the repository there): a request
 *               of another origin may stream this fill only once its own upstream confirmed the blob
 *               is in its repository, so a fill never hands private bytes to a repository not entitled
 *               to them; empty when unknown
 */
public record FillHolder(Digest digest, String memberId, String peerUrl, long size, Instant since, String origin) {

    public FillHolder(Digest digest, String memberId, String peerUrl, long size, Instant since) {
        this(digest, memberId, peerUrl, size, since, "");
    }

    /** Whether requests of {@code origin} may join this fill without asking their upstream first. */
    public boolean sameOrigin(String origin) {
        return !this.origin.isEmpty() && this.origin.equals(origin);
    }
}
