package dev.fleetmirror.node.upstream;

import dev.fleetmirror.coordination.limit.FillSlot;

/**
 * The upstream's answer to a blob fill's request, and the concurrent-fill slot the fill holds until
 * it is over. Whoever runs the fill must {@link #release()} it, whatever the outcome.
 */
public record UpstreamFill<T>(T answer, FillSlot slot) {

    /** The fill is over: the next one may start. Idempotent. */
    public void release() {
        slot.release();
    }
}
