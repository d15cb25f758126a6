package dev.fleetmirror.coordination.fill;

import dev.fleetmirror.core.digest.Digest;
import java.time.Instant;

/**
 * Who fills a blob now: the member holding its lease and the base URL of that member's peer
 * endpoint, where the blob can be streamed while it arrives.
 *
 * @param size  the blob's size once the owner's source answered, else -1
 * @param since when the lease was taken
 */
public record FillHolder(Digest digest, String memberId, String peerUrl, long size, Instant since) {
}
