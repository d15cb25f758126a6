package dev.fleetmirror.node.http;

import dev.fleetmirror.node.config.HttpConfig;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's Vert.x instance, on Netty's native epoll transport where the platform has it
 * ({@code http.nativetransport}, on by default). Warm blobs from the local disk tier and the
 * filesystem driver leave by {@code sendFile}: with epoll Netty calls sendfile(2) on the file
 * descriptor itself, with NIO it goes through {@code FileChannel.transferTo} and the JDK's
 * bookkeeping around it. Where epoll is missing (not Linux x86_64, or its library cannot load) the
 * node says why and runs on NIO, which serves the same bytes.
 */
public final class NodeVertx {
    private static final Logger LOG = LoggerFactory.getLogger(NodeVertx.class);

    private NodeVertx() {
    }

    public static Vertx create(HttpConfig http) {
        // A loop for each HTTP server, and one more: upstream traffic and fills run on a context of their own.
        Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(http.nativeTransport())
                .setEventLoopPoolSize(Math.max(VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE, http.eventLoops() + 1)));
        if (vertx.isNativeTransportEnabled()) {
            LOG.info("network transport: native (epoll)");
        } else if (http.nativeTransport()) {
            Throwable cause = vertx.unavailableNativeTransportCause();
            LOG.info("network transport: NIO (native transport unavailable: {})",
                    cause == null ? "unknown" : cause.toString());
        } else {
            LOG.info("network transport: NIO (http.nativetransport: false)");
        }
        return vertx;
    }
}
