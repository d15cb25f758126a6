package dev.fleetmirror.node.upstream;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The order an upstream's URLs are asked in, and when a call moves on to the next one. URLs in use
 * come first, as configured; skipped ones (they failed lately) last, soonest back first, so a call
 * still has somewhere to go when every URL failed. A URL that cannot be reached, answers 5xx or 429,
 * or sent content not matching its digest is marked failed (and skipped for its back-off); it and a
 * 401, 403 or 404 pass the call on to the next URL. The last URL's failure is the call's. Used on
 * the upstream's event-loop context only.
 */
final class UrlFallback {
    private static final Logger LOG = LoggerFactory.getLogger(UrlFallback.class);

    /** A successful answer and the URL that gave it. */
    record Answered<T>(T value, UpstreamUrl url) {
    }

    private final String upstream;
    private final List<UpstreamUrl> urls;

    UrlFallback(String upstream, List<UpstreamUrl> urls) {
        this.upstream = upstream;
        this.urls = List.copyOf(urls);
    }

    /** Sends through the URLs in order until one answers, or none is left. */
    <T> Future<Answered<T>> send(Function<UpstreamUrl, Future<T>> send) {
        return via(order(), 0, send);
    }

    private List<UpstreamUrl> order() {
        List<UpstreamUrl> order = new ArrayList<>(urls.size());
        urls.stream().filter(u -> !u.skipped()).forEach(order::add);
        urls.stream().filter(UpstreamUrl::skipped).sorted(Comparator.comparingLong(UpstreamUrl::skippedUntilNanos)
                .thenComparing(urls::indexOf)).forEach(order::add);
        return order;
    }

    private <T> Future<Answered<T>> via(List<UpstreamUrl> order, int index, Function<UpstreamUrl, Future<T>> send) {
        UpstreamUrl url = order.get(index);
        return send.apply(url).transform(done -> {
            if (done.succeeded()) {
                return Future.succeededFuture(new Answered<>(done.result(), url));
            }
            if (!(done.cause() instanceof UpstreamException failure)) {
                return Future.failedFuture(done.cause());
            }
            boolean urlFailed = failure.isTrouble() || failure.isCorrupt();
            if (urlFailed) {
                url.failed(failure.upstreamStatus(), failure.isCorrupt() ? "corrupt: " + failure.getMessage()
                        : failure.staleReason());
            }
            boolean passOn = urlFailed || failure.isNotFound() || failure.upstreamStatus() == 401
                    || failure.upstreamStatus() == 403;
            if (passOn && index + 1 < order.size()) {
                LOG.debug("upstream {}: {} answered {}; asking {}", upstream, url.base(), failure.staleReason(),
                        order.get(index + 1).base());
                return via(order, index + 1, send);
            }
            return Future.failedFuture(failure);
        });
    }
}
