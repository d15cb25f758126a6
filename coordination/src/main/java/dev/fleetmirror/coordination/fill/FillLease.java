package dev.fleetmirror.coordination.fill;

/**
 * This member's right to fill one blob from upstream. It is renewed in the background until
 * {@link #release() released}; if this member dies or stalls past the lease TTL, the lease lapses
 * and another member may take the fill over.
 */
public interface FillLease extends AutoCloseable {

    /** Publishes the blob's size (once the source answered) for followers' HEADs and peers. */
    void announceSize(long size);

    /** False once the lease lapsed or was taken by another member (renewal failed). */
    boolean held();

    /** Gives the fill up (done, or failed); idempotent. */
    void release();

    /**
     * Gives the fill up and leaves its outcome in its place for {@link FillLeases#REMEMBERED}: claims
     * made meanwhile answer {@link FillClaim.Settled} rather than starting another fetch. Idempotent
     * with {@link #release()} (whichever comes first counts).
     */
    void release(FillOutcome outcome);

    @Override
    default void close() {
        release();
    }
}
