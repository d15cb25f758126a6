package dev.fleetmirror.node.metrics;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per answered request on the logger {@value #LOGGER} (so operators can route or silence
 * it): remote address, method, path, protocol, status, body bytes, duration, request id, the user
 * authentication established ({@code -} for an anonymous caller), and whether the client went away
 * before the end. The query string is left out (it carries nothing a registry needs to audit, and a
 * token service's parameters are nobody's business) and no header is logged, so credentials never
 * reach the log: the user is the name a password or token was verified for, never what was sent. In the JSON log format each field is also a key.
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

    /** The user field of an anonymous caller's line. */
    public static final String ANONYMOUS = "-";

    /** @param user the authenticated user's name, or {@link #ANONYMOUS} */
    public void answered(HttpServerRequest request, String id, String user, int status, long bytes, long nanos,
                         boolean aborted) {
        if (!enabled || !LOG.isInfoEnabled()) {
            return;
        }
        SocketAddress remote = request.remoteAddress();
        String from = remote == null ? "-" : remote.hostAddress();
        String method = request.method().name();
        String path = request.path();
        double millis = Math.round(nanos / 10_000.0) / 100.0;
        String who = printable(user);
        LOG.atInfo()
                .addKeyValue("request_id", id)
                .addKeyValue("remote", from)
                .addKeyValue("method", method)
                .addKeyValue("path", path)
                .addKeyValue("status", status)
                .addKeyValue("bytes", bytes)
                .addKeyValue("duration_ms", millis)
                .addKeyValue("user", who)
                .addKeyValue("aborted", aborted)
                .log("{} \"{} {} {}\" {} {} {}ms id={} user={}{}", from, method, path, protocol(request), status, bytes,
                        millis, id, who, aborted ? " aborted" : "");
    }

    /**
     * A user name as one field of the line: a token's subject is whatever its issuer wrote, so
     * anything but visible ASCII (spaces, quotes, line breaks) is percent-escaped.
     */
    static String printable(String user) {
        if (user == null || user.isEmpty()) {
            return ANONYMOUS;
        }
        StringBuilder out = new StringBuilder(user.length());
        for (byte b : user.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            if (b > 0x20 && b < 0x7f && b != '"' && b != '%' && b != '\\') {
                out.append((char) b);
            } else {
                out.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return out.toString();
    }

    private static String protocol(HttpServerRequest request) {
        return switch (request.version()) {
            case HTTP_1_0 -> "HTTP/1.0";
            case HTTP_1_1 -> "HTTP/1.1";
            case HTTP_2 -> "HTTP/2";
        };
    }
}
