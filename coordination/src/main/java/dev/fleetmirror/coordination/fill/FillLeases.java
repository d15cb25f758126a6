package dev.fleetmirror.coordination.fill;

import dev.fleetmirror.core.digest.Digest;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The cluster's in-flight registry of blob fills: at most one member holds the lease of a digest,
 * so at most one upstream fetch of a blob runs anywhere in the cluster. Entries carry a TTL that
 * their owner renews; a member that leaves or dies loses its leases within the TTL.
 *
 * <p>Methods may block briefly on the network: call them on worker threads.
 */
public interface FillLeases extends AutoCloseable {
    /**
     * How long a fill's outcome is remembered after its lease is given up: long enough to cover the
     * requests that checked storage before the fill stored (or failed) and claim just after, short
     * enough that an upstream 404 is not remembered past the moment someone pushes the blob.
     */
    Duration REMEMBERED = Duration.ofSeconds(10);

    /**
     * Takes the fill of {@code digest} for this member, or says which member holds it.
     *
     * @param origin what the blob is fetched for (see {@link FillHolder#origin()}); published with the lease
     */
    FillClaim claim(Digest digest, String origin);

    /** A claim of unknown origin: nobody joins it without asking their own upstream. */
    default FillClaim claim(Digest digest) {
        return claim(digest, "");
    }

    /**
     * Forgets a remembered "stored" outcome of {@code digest} that no longer holds (a GC or an expiry
     * deleted the data since), so that the next claim fills the blob again. A fill in flight, or a
     * remembered 404, is left alone.
     */
    void forgetStored(Digest digest);

    /** The current holder of {@code digest}'s fill, if any (not an outcome remembered after it ended). */
    Optional<FillHolder> holder(Digest digest);

    /** Every fill in flight in the cluster (for the admin endpoint). */
    List<FillHolder> inFlight();

    @Override
    void close();
}
