package dev.fleetmirror.coordination.limit;

/**
 * One of an upstream's concurrent-fill slots, held by this member until released. A member that
 * leaves the cluster (or dies) loses its slots, so they cannot stay taken forever.
 */
public interface FillSlot extends AutoCloseable {

    /** The slot of an upstream without a fill limit: holds nothing. */
    FillSlot NONE = () -> { };

    /** Frees the slot for the next fill; idempotent. */
    void release();

    @Override
    default void close() {
        release();
    }
}
