package dev.fleetmirror.node.http;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The node's HTTP servers: one per event loop ({@code http.eventloops}), all on one port. Vert.x
 * binds the port once and hands each new connection to the next server in turn, so a connection
 * lives on one event loop while the node's connections spread over all of them: on a machine with
 * several cores warm blobs leave from every core, not from the one loop a single server has.
 *
 * <p>The handlers are shared by every server and so run on several event loops at once. What they
 * reach is built for that: per-connection and per-request state stays on its connection's loop,
 * registry calls run on worker threads, and upstream traffic and fills run on the one context
 * their caller was built with ({@code UpstreamCaller}, {@code FillSources}), whichever loop asks.
 */
public final class HttpServers {
    private static final AtomicInteger RANDOM_PORT_KEYS = new AtomicInteger();

    private final List<HttpServer> servers;

    private HttpServers(List<HttpServer> servers) {
        this.servers = List.copyOf(servers);
    }

    /**
     * Starts {@code count} servers with the same handlers on {@code options}' port; port 0 picks one
     * free port that all of them share.
     */
    public static Future<HttpServers> listen(Vertx vertx, HttpServerOptions options, int count,
                                             Handler<HttpConnection> connections, Handler<HttpServerRequest> requests) {
        if (count < 1) {
            throw new IllegalArgumentException("count " + count + " is below 1");
        }
        // Vert.x shares a port among servers that name it; servers asking for port 0 would each get
        // another one, so they name the same negative port instead: one random port, shared.
        HttpServerOptions shared = options.getPort() == 0
                ? new HttpServerOptions(options).setPort(-RANDOM_PORT_KEYS.incrementAndGet()) : options;
        List<HttpServer> started = new CopyOnWriteArrayList<>();
        // Each instance of the deployment gets an event-loop context of its own, and its server listens there.
        return vertx.deployVerticle(() -> context -> vertx.createHttpServer(shared)
                        .connectionHandler(connections)
                        .requestHandler(requests)
                        .listen()
                        .onSuccess(started::add),
                        new DeploymentOptions().setInstances(count))
                .transform(deployed -> deployed.succeeded() ? Future.succeededFuture(new HttpServers(started))
                        : Future.all(started.stream().map(HttpServer::close).toList())
                                .transform(closed -> Future.failedFuture(deployed.cause())));
    }

    /** The port every server listens on. */
    public int port() {
        return servers.get(0).actualPort();
    }

    public int count() {
        return servers.size();
    }

    /**
     * Stops accepting connections on every server and gives requests in flight up to
     * {@code timeout} to finish before their connections are closed.
     */
    public Future<Void> shutdown(long timeout, TimeUnit unit) {
        return Future.all(servers.stream().map(server -> server.shutdown(timeout, unit)).toList()).mapEmpty();
    }

    /** Closes every server at once. */
    public Future<Void> close() {
        return Future.all(servers.stream().map(HttpServer::close).toList()).mapEmpty();
    }
}
