package dev.fleetmirror.node.config;

import java.util.Objects;
import java.util.Optional;

/**
 * Distribution's {@code http} section.
 *
 * @param host   interface to bind; {@code 0.0.0.0} when {@code http.addr} is {@code :port}
 * @param port   0 picks a free port (tests)
 * @param secret {@code http.secret}; accepted for compatibility, the node keeps no signed state yet
 * @param tls    {@code http.tls}: HTTPS (and HTTP/2 by ALPN), optionally mutual; empty for plain HTTP
 * @param limits what one client may take of the node ({@code http.limits}, {@code http.timeouts})
 * @param nativeTransport {@code http.nativetransport}: Netty's epoll transport where the platform
 *               has it (sendfile straight from the file descriptor for tier and filesystem blobs),
 *               else NIO; {@code false} always uses NIO
 * @param eventLoops {@code http.eventloops}: how many event loops serve connections, each
 *               connection staying on one; by default one per processor, so a node on a machine
 *               with several cores sends warm blobs from all of them
 */
public record HttpConfig(String host, int port, Optional<String> secret, Optional<TlsConfig> tls, HttpLimits limits,
                         boolean nativeTransport, int eventLoops) {

    /** Loopback only unless the operator says otherwise: a fresh node must not be reachable from the network. */
    public static final String DEFAULT_ADDR = "127.0.0.1:5000";

    public HttpConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(secret, "secret");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(limits, "limits");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " out of range");
        }
        if (eventLoops < 1) {
            throw new IllegalArgumentException("eventLoops " + eventLoops + " is below 1");
        }
    }

    /** One event loop per processor the JVM may use. */
    public static int defaultEventLoops() {
        return Runtime.getRuntime().availableProcessors();
    }

    public HttpConfig(String host, int port, Optional<String> secret) {
        this(host, port, secret, Optional.empty(), HttpLimits.defaults(), true, defaultEventLoops());
    }

    public HttpConfig withTls(Optional<TlsConfig> value) {
        return new HttpConfig(host, port, secret, value, limits, nativeTransport, eventLoops);
    }

    public HttpConfig withLimits(HttpLimits value) {
        return new HttpConfig(host, port, secret, tls, value, nativeTransport, eventLoops);
    }

    public HttpConfig withNativeTransport(boolean value) {
        return new HttpConfig(host, port, secret, tls, limits, value, eventLoops);
    }

    public HttpConfig withEventLoops(int value) {
        return new HttpConfig(host, port, secret, tls, limits, nativeTransport, value);
    }

    /**
     * {@code http.tls}, {@code http.http2}, {@code http.limits}, {@code http.timeouts},
     * {@code http.nativetransport} and {@code http.eventloops} read onto this address.
     */
    HttpConfig readSecurity(ConfigTree tree) {
        return withTls(TlsConfig.read(tree)).withLimits(HttpLimits.read(tree))
                .withNativeTransport(tree.bool("http.nativetransport", true))
                .withEventLoops(tree.wholeNumber("http.eventloops", defaultEventLoops(), 1));
    }

    public static HttpConfig defaults() {
        return parseAddr("http.addr", DEFAULT_ADDR, Optional.empty());
    }

    public static HttpConfig loopback(int port) {
        return new HttpConfig("127.0.0.1", port, Optional.empty());
    }

    /** Parses {@code host:port}, {@code :port} (all interfaces) or {@code [v6]:port}. */
    static HttpConfig parseAddr(String key, String addr, Optional<String> secret) {
        String value = addr.trim();
        int colon = value.lastIndexOf(':');
        if (colon < 0) {
            throw new ConfigException(key, "'" + addr + "' is not host:port (e.g. 127.0.0.1:5000, or :5000 for all interfaces)");
        }
        String host = value.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.isEmpty()) {
            host = "0.0.0.0";
        }
        int port;
        try {
            port = Integer.parseInt(value.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new ConfigException(key, "port in '" + addr + "' is not a number");
        }
        if (port < 0 || port > 65535) {
            throw new ConfigException(key, "port " + port + " in '" + addr + "' is outside 0..65535");
        }
        return new HttpConfig(host, port, secret);
    }

    public String addr() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
