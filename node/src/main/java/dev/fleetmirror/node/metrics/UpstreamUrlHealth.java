package dev.fleetmirror.node.metrics;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Optional;

/**
 * How one URL of an upstream fares on this node: an upstream with fallback URLs ({@code urls:})
 * skips a URL that failed until {@code skippedUntil}.
 *
 * @param upstream     the upstream's name
 * @param url          the base URL
 * @param failures     failures in a row (0 once it answered well again)
 * @param skippedUntil when the URL is tried again; empty while it is in use
 * @param lastStatus   the last HTTP status it answered, 0 for none (unreachable) or before any request
 * @param lastFailure  why it failed last ({@code unreachable}, {@code status 503}, {@code corrupt: ...})
 * @param at           when that state began
 */
public record UpstreamUrlHealth(String upstream, String url, int failures, Optional<Instant> skippedUntil,
                                int lastStatus, Optional<String> lastFailure, Instant at) {

    /** Whether requests go to this URL now (it is not being skipped after a failure). */
    public boolean healthy() {
        return skippedUntil.isEmpty() || !Instant.now().isBefore(skippedUntil.get());
    }

    /** The URL's state as the status page and {@code /admin/v1/cluster} show it, written into {@code node}. */
    public ObjectNode describe(ObjectNode node) {
        node.put("url", url).put("healthy", healthy()).put("failuresInARow", failures);
        skippedUntil.filter(until -> !healthy()).ifPresentOrElse(until -> node.put("skippedUntil", until.toString()),
                () -> node.putNull("skippedUntil"));
        if (lastStatus == 0) {
            node.putNull("lastStatus");
        } else {
            node.put("lastStatus", lastStatus);
        }
        lastFailure.ifPresentOrElse(why -> node.put("lastFailure", why), () -> node.putNull("lastFailure"));
        return node.put("since", at.toString());
    }
}
