package dev.fleetmirror.node;

import dev.fleetmirror.coordination.Coordination;
import dev.fleetmirror.coordination.StandaloneCoordination;
import dev.fleetmirror.coordination.cache.IndexedManifests;
import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.registry.Registry;
import dev.fleetmirror.core.registry.RegistrySettings;
import dev.fleetmirror.core.storage.PathNotFoundException;
import dev.fleetmirror.core.storage.StorageDriver;
import dev.fleetmirror.core.storage.StoragePaths;
import dev.fleetmirror.node.config.NodeConfig;
import dev.fleetmirror.node.config.StorageDrivers;
import dev.fleetmirror.node.distribution.DistributionApi;
import dev.fleetmirror.node.http.NamespaceResolver;
import dev.fleetmirror.node.http.NodeServices;
import dev.fleetmirror.node.proxy.PullThroughCache;
import dev.fleetmirror.node.http.StorageWorkers;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running node: its Vert.x instance, storage, and HTTP server. The CLI and in-process tests start
 * it the same way; {@code http.addr} port 0 binds a free port, reported by {@link #port()}.
 */
public final class FleetMirrorNode {
    private static final Logger LOG = LoggerFactory.getLogger(FleetMirrorNode.class);

    public static final long SHUTDOWN_GRACE_SECONDS = 10;
    private static final int IDLE_TIMEOUT_MINUTES = 15;

    private final Vertx vertx;
    private final HttpServer server;
    private final StorageWorkers workers;
    private final AutoCloseable storage;

    private FleetMirrorNode(Vertx vertx, HttpServer server, StorageWorkers workers, AutoCloseable storage) {
        this.vertx = vertx;
        this.server = server;
        this.workers = workers;
        this.storage = storage;
    }

    /**
     * Opens the configured storage and serves the registry on it: hosted, and a pull-through cache
     * of the configured upstreams (which need not be reachable for the node to start).
     */
    public static Future<FleetMirrorNode> start(NodeConfig config) {
        return start(config, new StandaloneCoordination());
    }

    /**
     * As {@link #start(NodeConfig)}, sharing tag freshness, upstream tokens and the manifest index
     * with the cluster {@code coordination} joined; the node closes it when it stops.
     */
    public static Future<FleetMirrorNode> start(NodeConfig config, Coordination coordination) {
        Vertx vertx = Vertx.vertx();
        return closeOnFailure(vertx, vertx.<StorageDriver>executeBlocking(
                        () -> StorageDrivers.open(config.storage().backend()), false)
                .compose(driver -> {
                    Registry onStorage = Registry.onStorage(driver,
                            new RegistrySettings(config.storage().deleteEnabled()));
                    Registry stored = new Registry(onStorage.blobs(), onStorage.uploads(),
                            new IndexedManifests(onStorage.manifests(), coordination.manifestIndex()),
                            onStorage.tags(), onStorage.catalog(), onStorage.referrers());
                    PullThroughCache cache = config.proxy().enabled()
                            ? PullThroughCache.create(vertx, vertx.getOrCreateContext(), config.proxy(), stored,
                                    digest -> dataStored(driver, digest), coordination)
                            : null;
                    AutoCloseable resources = () -> {
                        if (cache != null) {
                            cache.close();
                        }
                        coordination.close();
                        driver.close();
                    };
                    return listen(vertx, config, cache == null ? stored : cache.registry(),
                            cache == null ? NamespaceResolver.NONE : cache.namespaces(), resources)
                            .recover(failure -> vertx.executeBlocking(() -> {
                                resources.close();
                                return null;
                            }, false).transform(closed -> Future.failedFuture(failure)));
                }));
    }

    private static boolean dataStored(StorageDriver driver, Digest digest) {
        try {
            return !driver.stat(StoragePaths.blobData(digest)).directory();
        } catch (PathNotFoundException e) {
            return false;
        }
    }

    /**
     * Serves {@code registry} (for instance a decorated one) with the HTTP and storage switches of
     * {@code config}; its storage backend is ignored. Closing the node does not close the registry.
     */
    public static Future<FleetMirrorNode> start(NodeConfig config, Registry registry) {
        Vertx vertx = Vertx.vertx();
        return closeOnFailure(vertx, listen(vertx, config, registry, NamespaceResolver.NONE, () -> { }));
    }

    /**
     * Futures bound to one of this Vert.x instance's contexts never complete once it is closed, so
     * the caller gets a context-free future that is completed after the close finished.
     */
    private static Future<FleetMirrorNode> closeOnFailure(Vertx vertx, Future<FleetMirrorNode> starting) {
        io.vertx.core.Promise<FleetMirrorNode> result = io.vertx.core.Promise.promise();
        starting.onComplete(started -> {
            if (started.succeeded()) {
                result.complete(started.result());
            } else {
                vertx.close().onComplete(closed -> result.fail(started.cause()));
            }
        });
        return result.future();
    }

    private static Future<FleetMirrorNode> listen(Vertx vertx, NodeConfig config, Registry registry,
                                                  NamespaceResolver namespaces, AutoCloseable storage) {
        StorageWorkers workers = new StorageWorkers(vertx, StorageWorkers.DEFAULT_POOL_SIZE);
        NodeServices services = new NodeServices(registry, workers,
                config.storage().deleteEnabled(), config.storage().redirectDisabled());
        HttpServerOptions options = new HttpServerOptions()
                .setHost(config.http().host())
                .setPort(config.http().port())
                .setHandle100ContinueAutomatically(true)
                .setCompressionSupported(false)
                // Frees connections of clients that stalled; long enough for a slow completion on S3.
                .setIdleTimeout(IDLE_TIMEOUT_MINUTES)
                .setIdleTimeoutUnit(java.util.concurrent.TimeUnit.MINUTES);
        return vertx.createHttpServer(options)
                .requestHandler(DistributionApi.dispatcher(services, config.storage().readOnly(), namespaces))
                .listen()
                .map(server -> {
                    LOG.info("serving the registry on {}:{} ({} storage{}{})", config.http().host(), server.actualPort(),
                            config.storage().backend().getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT),
                            config.storage().readOnly() ? ", read-only maintenance mode" : "",
                            config.storage().deleteEnabled() ? "" : ", deletes disabled");
                    return new FleetMirrorNode(vertx, server, workers, storage);
                });
    }

    /** The port the server listens on (the ephemeral one when configured with port 0). */
    public int port() {
        return server.actualPort();
    }

    public Vertx vertx() {
        return vertx;
    }

    /** Stops the node, giving requests in flight {@value #SHUTDOWN_GRACE_SECONDS} seconds to finish. */
    public Future<Void> close() {
        return close(SHUTDOWN_GRACE_SECONDS);
    }

    /**
     * Stops accepting connections and lets requests in flight (a push's last chunk, a pull) finish for
     * up to {@code graceSeconds} before connections are closed; then storage and Vert.x are closed.
     */
    public Future<Void> close(long graceSeconds) {
        // Not chained on the server's context: that context dies with Vert.x, and with it any callback queued there.
        io.vertx.core.Promise<Void> closed = io.vertx.core.Promise.promise();
        server.shutdown(graceSeconds, java.util.concurrent.TimeUnit.SECONDS)
                .eventually(() -> {
                    workers.close();
                    return vertx.executeBlocking(() -> {
                        storage.close();
                        return null;
                    }, false);
                })
                .onComplete(ignored -> vertx.close().onComplete(closed));
        return closed.future();
    }
}
