package dev.fleetmirror.node.metrics;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per answered request on the logger {@value #LOGGER} (so operators can route or silence
 * it): remote address, method, path, protocol, status, body bytes, duration, request id, and
 * whether the client went away before the end. The query string is left out (it carries nothing a
 * registry needs to audit, and a token service's parameters are nobody's business) and no header
 * is logged, so credentials never reach the log. In the JSON log format each field is also a key.
 */
public final class AccessLog {
    public static final String LOGGER = "fleetmirror.access";
    public static final AccessLog OFF = new AccessLog(false);
    private static final Logger LOG = LoggerFactory.getLogger(LOGGER);

    private final boolean enabled;

    private AccessLog(boolean enabled) {
        this.enabled = enabled;
    }

    public static AccessLog of(boolean enabled) {
        return enabled ? new AccessLog(true) : OFF;
    }

    public void answered(HttpServerRequest request, String id, int status, long bytes, long nanos, boolean aborted) {
        if (!enabled || !LOG.isInfoEnabled()) {
            return;
        }
        SocketAddress remote = request.remoteAddress();
        String from = remote == null ? "-" : remote.hostAddress();
        String method = request.method().name();
        String path = request.path();
        double millis = Math.round(nanos / 10_000.0) / 100.0;
        LOG.atInfo()
                .addKeyValue("request_id", id)
                .addKeyValue("remote", from)
                .addKeyValue("method", method)
                .addKeyValue("path", path)
                .addKeyValue("status", status)
                .addKeyValue("bytes", bytes)
                .addKeyValue("duration_ms", millis)
                .addKeyValue("aborted", aborted)
                .log("{} \"{} {} {}\" {} {} {}ms id={}{}", from, method, path, protocol(request), status, bytes, millis, id,
                        aborted ? " aborted" : "");
    }

    private static String protocol(HttpServerRequest request) {
        return switch (request.version()) {
            case HTTP_1_0 -> "HTTP/1.0";
            case HTTP_1_1 -> "HTTP/1.1";
            case HTTP_2 -> "HTTP/2";
        };
    }
}
