package dev.fleetmirror.node.upstream;

import dev.fleetmirror.coordination.limit.FillSlot;
import java.util.function.Consumer;

/**
 * The upstream's answer to a blob fill's request, and the concurrent-fill slot the fill holds until
 * it is over. Whoever runs the fill must {@link #release()} it, whatever the outcome, and reports
 * bytes that did not match their digest with {@link #corrupt}, so that the URL that sent them is
 * skipped for a while when the upstream has others.
 */
public record UpstreamFill<T>(T answer, FillSlot slot, Consumer<String> corruptSource) {

    public UpstreamFill(T answer, FillSlot slot) {
        this(answer, slot, what -> { });
    }

    /** The fill is over: the next one may start. Idempotent. */
    public void release() {
        slot.release();
    }

    /** The answer's content was not what its digest says ({@code what}): its URL is not to be trusted for a while. */
    public void corrupt(String what) {
        corruptSource.accept(what);
    }
}
