package dev.fleetmirror.node.config;

import java.time.Duration;

/**
 * What one client may take of a node ({@code http.limits}, {@code http.timeouts}), with defaults
 * meant for production: generous for real clients (large bearer tokens, parallel layer pushes,
 * multi-GB uploads completing on S3), tight enough that a slow or hostile client cannot hold the
 * node's connections or storage.
 *
 * @param maxHeaderBytes  request line plus headers; larger requests get 431 (414 for the line alone)
 * @param maxConnections  open connections per node; more are closed at once (0: no limit)
 * @param uploadSessions  upload sessions open at once per repository; more get 429 TOOMANYREQUESTS (0: no limit)
 * @param requestHead     a connection must deliver a complete request head within this long of
 *                        opening or of the end of its previous request, else it is closed
 * @param idle            a connection silent in both directions this long, mid-request, is closed
 */
public record HttpLimits(int maxHeaderBytes, int maxConnections, int uploadSessions, Duration requestHead,
                         Duration idle) {

    public static final int DEFAULT_MAX_HEADER_BYTES = 32 * 1024;
    public static final int DEFAULT_MAX_CONNECTIONS = 4096;
    public static final int DEFAULT_UPLOAD_SESSIONS = 256;
    public static final Duration DEFAULT_REQUEST_HEAD = Duration.ofSeconds(30);
    public static final Duration DEFAULT_IDLE = Duration.ofMinutes(15);

    public HttpLimits {
        if (maxHeaderBytes < 1024) {
            throw new IllegalArgumentException("maxHeaderBytes " + maxHeaderBytes + " is below 1024");
        }
        if (maxConnections < 0 || uploadSessions < 0) {
            throw new IllegalArgumentException("limits cannot be negative");
        }
        if (requestHead.isNegative() || requestHead.isZero() || idle.isNegative() || idle.isZero()) {
            throw new IllegalArgumentException("timeouts must be positive");
        }
    }

    public static HttpLimits defaults() {
        return new HttpLimits(DEFAULT_MAX_HEADER_BYTES, DEFAULT_MAX_CONNECTIONS, DEFAULT_UPLOAD_SESSIONS,
                DEFAULT_REQUEST_HEAD, DEFAULT_IDLE);
    }

    public HttpLimits withMaxConnections(int value) {
        return new HttpLimits(maxHeaderBytes, value, uploadSessions, requestHead, idle);
    }

    public HttpLimits withUploadSessions(int value) {
        return new HttpLimits(maxHeaderBytes, maxConnections, value, requestHead, idle);
    }

    public HttpLimits withRequestHead(Duration value) {
        return new HttpLimits(maxHeaderBytes, maxConnections, uploadSessions, value, idle);
    }

    public HttpLimits withMaxHeaderBytes(int value) {
        return new HttpLimits(value, maxConnections, uploadSessions, requestHead, idle);
    }

    static HttpLimits read(ConfigTree tree) {
        HttpLimits d = defaults();
        return new HttpLimits(
                tree.wholeNumber("http.limits.maxheaderbytes", d.maxHeaderBytes(), 1024),
                tree.wholeNumber("http.limits.maxconnections", d.maxConnections(), 0),
                tree.wholeNumber("http.limits.uploadsessions", d.uploadSessions(), 0),
                positive(tree, "http.timeouts.requesthead", d.requestHead()),
                positive(tree, "http.timeouts.idle", d.idle()));
    }

    private static Duration positive(ConfigTree tree, String key, Duration fallback) {
        Duration value = tree.text(key).map(v -> ProxyConfigReader.duration(key, v)).orElse(fallback);
        if (value.isZero()) {
            throw new ConfigException(key, "must be longer than 0, such as " + fallback.toSeconds() + "s");
        }
        return value;
    }
}
