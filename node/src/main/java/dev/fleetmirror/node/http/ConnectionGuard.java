package dev.fleetmirror.node.http;

import dev.fleetmirror.node.config.HttpLimits;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps slow or hostile clients from exhausting a node's connections. Netty's idle timeout alone
 * does not: a client that sends its request head one byte every few seconds (slowloris) is never
 * idle. So every connection has a deadline for its next complete request head, counted from when
 * it opened or its last request ended ({@code http.timeouts.requesthead}); a connection with no
 * request in progress past it is closed, whatever bytes trickle in meanwhile. The same deadline
 * ends idle keep-alive connections. Beyond {@code http.limits.maxconnections} open connections, new
 * ones are closed at once.
 *
 * <p>Each connection is watched on its own event loop by a periodic timer; requests are
 * registered by {@link #tracking}, which wraps the server's request handler.
 */
public final class ConnectionGuard implements Handler<HttpConnection> {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionGuard.class);
    private static final long WARN_INTERVAL_NANOS = 60_000_000_000L;

    private final Vertx vertx;
    private final HttpLimits limits;
    private final long headNanos;
    private final long checkMillis;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicLong lastRefusalWarning = new AtomicLong(System.nanoTime() - WARN_INTERVAL_NANOS);
    private final Map<HttpConnection, Watch> watches = new ConcurrentHashMap<>();

    public ConnectionGuard(Vertx vertx, HttpLimits limits) {
        this.vertx = vertx;
        this.limits = limits;
        this.headNanos = limits.requestHead().toNanos();
        this.checkMillis = Math.max(50, Math.min(1_000, limits.requestHead().toMillis() / 4));
    }

    /** Open connections now. */
    public int open() {
        return open.get();
    }

    @Override
    public void handle(HttpConnection connection) {
        int count = open.incrementAndGet();
        Watch watch = new Watch(connection);
        connection.closeHandler(v -> {
            open.decrementAndGet();
            watches.remove(connection);
            vertx.cancelTimer(watch.timer);
        });
        if (limits.maxConnections() > 0 && count > limits.maxConnections()) {
            long last = lastRefusalWarning.get();
            if (System.nanoTime() - last >= WARN_INTERVAL_NANOS && lastRefusalWarning.compareAndSet(last, System.nanoTime())) {
                LOG.warn("{} connections open, the limit is {} (http.limits.maxconnections): closing new ones from {}",
                        count - 1, limits.maxConnections(), connection.remoteAddress());
            }
            connection.close();
            return;
        }
        watches.put(connection, watch);
        watch.timer = vertx.setPeriodic(checkMillis, id -> watch.check());
    }

    /** Wraps the server's request handler so that requests in progress keep their connection. */
    public Handler<HttpServerRequest> tracking(Handler<HttpServerRequest> next) {
        return request -> {
            Watch watch = watches.get(request.connection());
            if (watch != null) {
                watch.active.add(request);
            }
            next.handle(request);
        };
    }

    /** One connection's requests in progress and since when it has had none. Used on its event loop only. */
    private final class Watch {
        private final HttpConnection connection;
        private final List<HttpServerRequest> active = new ArrayList<>(1);
        private long idleSince = System.nanoTime();
        private long timer;

        Watch(HttpConnection connection) {
            this.connection = connection;
        }

        void check() {
            long now = System.nanoTime();
            if (!active.isEmpty()) {
                active.removeIf(request -> request.response().ended() || request.response().closed());
                idleSince = now;
                return;
            }
            if (now - idleSince >= headNanos) {
                LOG.debug("closing connection from {}: no complete request within {} ms", connection.remoteAddress(),
                        limits.requestHead().toMillis());
                vertx.cancelTimer(timer);
                connection.close();
            }
        }
    }
}
