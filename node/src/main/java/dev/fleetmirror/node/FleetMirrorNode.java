package dev.fleetmirror.node;

import dev.fleetmirror.coordination.mode.ClusterMode;
import dev.fleetmirror.node.auth.AccessDecider;
import dev.fleetmirror.node.auth.AuthSetup;
import dev.fleetmirror.node.privacy.PrivateUpstreamAccess;
import dev.fleetmirror.node.privacy.UpstreamCredentialCheck;
import dev.fleetmirror.node.auth.TokenEndpoint;
import dev.fleetmirror.node.admin.AdminRouter;
import dev.fleetmirror.node.admin.ClusterAdmin;
import dev.fleetmirror.node.admin.GcAdmin;
import dev.fleetmirror.node.admin.ModeAdmin;
import dev.fleetmirror.node.admin.WarmAdmin;
import dev.fleetmirror.node.gc.PushWindow;
import dev.fleetmirror.node.gc.ClusterModeControl;
import dev.fleetmirror.node.gc.GcService;
import dev.fleetmirror.node.gc.LiveCollection;
import dev.fleetmirror.gc.CollectionRun;
import dev.fleetmirror.node.gc.StateSnapshots;
import dev.fleetmirror.node.http.ConnectionGuard;
import dev.fleetmirror.node.http.Dispatcher;
import dev.fleetmirror.node.http.HttpServers;
import dev.fleetmirror.node.http.ResponseEnd;
import dev.fleetmirror.node.http.ServerOptions;
import dev.fleetmirror.node.metrics.Health;
import dev.fleetmirror.node.metrics.NodeMetrics;
import dev.fleetmirror.node.metrics.AccessLog;
import dev.fleetmirror.node.metrics.StatusPage;
import dev.fleetmirror.node.localcache.LocalBlobCache;
import dev.fleetmirror.node.warm.Warmer;
import io.vertx.core.WorkerExecutor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import dev.fleetmirror.node.metrics.Traffic;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import dev.fleetmirror.coordination.ClusterSettings;
import dev.fleetmirror.coordination.ClusterView;
import dev.fleetmirror.coordination.Coordination;
import dev.fleetmirror.coordination.HazelcastCoordination;
import dev.fleetmirror.coordination.StandaloneCoordination;
import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.registry.Registry;
import dev.fleetmirror.core.storage.StorageDriver;
import dev.fleetmirror.coordination.gc.JournalingStorage;
import dev.fleetmirror.gc.expiry.PullRecorder;
import dev.fleetmirror.node.fill.PeerFillEndpoint;
import dev.fleetmirror.node.fill.PeerProtocol;
import dev.fleetmirror.node.fill.PeerUrl;
import dev.fleetmirror.node.config.NodeConfig;
import dev.fleetmirror.node.config.StorageDrivers;
import dev.fleetmirror.node.distribution.DistributionApi;
import dev.fleetmirror.node.api.NamespaceResolver;
import dev.fleetmirror.node.mode.WriteGate;
import dev.fleetmirror.node.http.NodeServices;
import dev.fleetmirror.node.http.NodeVertx;
import dev.fleetmirror.node.proxy.PullThroughCache;
import dev.fleetmirror.node.http.StorageWorkers;
import dev.fleetmirror.node.maintenance.MaintenanceSchedule;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.time.Clock;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running node: its Vert.x instance, storage, and HTTP server. The CLI and in-process tests start
 * it the same way; {@code http.addr} port 0 binds a free port, reported by {@link #port()}.
 */
public final class FleetMirrorNode {
    /** Storage requests a GC keeps in flight. */
    private static final int GC_PARALLELISM = 32;
    private static final Logger LOG = LoggerFactory.getLogger(FleetMirrorNode.class);

    public static final long SHUTDOWN_GRACE_SECONDS = 10;
    /** How long an upstream's answer about a caller's own credentials is trusted (passThroughAuth). */
    private static final java.time.Duration PASS_THROUGH_TTL = java.time.Duration.ofSeconds(60);

    private final Vertx vertx;
    private final HttpServers servers;
    private final StorageWorkers workers;
    private final AutoCloseable storage;
    private final Coordination coordination;

    private FleetMirrorNode(Vertx vertx, HttpServers servers, StorageWorkers workers, AutoCloseable storage,
                            Coordination coordination) {
        this.vertx = vertx;
        this.servers = servers;
        this.workers = workers;
        this.storage = storage;
        this.coordination = coordination;
    }

    /**
     * Opens the configured storage and serves the registry on it: hosted, and a pull-through cache
     * of the configured upstreams (which need not be reachable for the node to start). Joins the
     * cluster of the {@code cluster:} section meanwhile, or runs standalone without one.
     */
    public static Future<FleetMirrorNode> start(NodeConfig config) {
        Vertx vertx = NodeVertx.create(config.http());
        Future<Coordination> joining = joinCluster(vertx, config);
        Future<StorageDriver> opening = vertx.executeBlocking(() -> StorageDrivers.open(config.storage().backend()), false);
        return closeOnFailure(vertx, Future.join(joining, opening)
                .recover(failure -> vertx.executeBlocking(() -> {
                    // One of the two may have opened: close what did.
                    try {
                        if (opening.succeeded()) {
                            opening.result().close();
                        }
                    } finally {
                        if (joining.succeeded()) {
                            joining.result().close();
                        }
                    }
                    return null;
                }, false).transform(closed -> Future.failedFuture(failure)))
                .compose(opened -> {
                    Coordination coordination = joining.result();
                    // Every write a request makes goes through the GC's journal; the GC itself writes past it.
                    StorageDriver gcStorage = opening.result();
                    StorageDriver driver = new JournalingStorage(gcStorage, coordination.journal());
                    Optional<PullRecorder> pulls = config.proxy().enabled()
                            ? Optional.of(new PullRecorder(driver, Clock.systemUTC(),
                                    PullRecorder.refreshAfter(config.proxy().cacheTtl())))
                            : Optional.empty();
                    Traffic traffic = new Traffic(new PrometheusRegistry());
                    LocalBlobCache localCache = config.storage().localCache()
                            .flatMap(local -> LocalBlobCache.open(local.directory(), local.maxBytes())).orElse(null);
                    RegistryStack registries = RegistryStack.build(vertx, config, driver, coordination, pulls, traffic,
                            Optional.ofNullable(localCache));
                    Registry stored = registries.stored();
                    PullThroughCache cache = registries.cache().orElse(null);
                    StateSnapshots snapshots = new StateSnapshots(vertx, driver, coordination, !config.storage().readOnly());
                    NodeMetrics metrics = new NodeMetrics(vertx, coordination, traffic.registry());
                    GcService gc = new GcService(vertx, coordination, gcStorage, new ClusterModeControl(coordination, snapshots),
                            new LiveCollection(gcStorage, coordination, new CollectionRun.Settings(false,
                                    config.gc().deleteUntagged(), config.gc().grace(), GC_PARALLELISM,
                                    Optional.ofNullable(cache).map(c -> new CollectionRun.Expiry(config.proxy().cacheTtl(),
                                            c.mirrored()))), Clock.systemUTC()),
                            Clock.systemUTC(), metrics::gcReported);
                    config.gc().schedule().ifPresent(gc::schedule);
                    Optional<String> secret = config.cluster().flatMap(ClusterSettings::secret);
                    Health health = new Health(vertx, driver, coordination);
                    // Warm requests run on their own workers; each fetches up to 4 blobs of an image at once.
                    WorkerExecutor warmRunners = vertx.createSharedWorkerExecutor("fleetmirror-warm", 2, 24, TimeUnit.HOURS);
                    ExecutorService warmFetchers = Executors.newFixedThreadPool(4, runnable -> {
                        Thread thread = new Thread(runnable, "fleetmirror-warm-fetch");
                        thread.setDaemon(true);
                        return thread;
                    });
                    StatusPage status = new StatusPage(vertx, coordination, traffic, gc::latestReport,
                            NodeVersion.version());
                    // The status page names repositories: admins only when auth is on; metrics and health probes stay open.
                    AdminRouter admin = new AdminRouter(secret)
                            .page(StatusPage.ROOT, status, true)
                            .page(StatusPage.PATH, status, true)
                            .page(NodeMetrics.PATH, metrics, false)
                            .page(Health.LIVE, health, false)
                            .page(Health.READY, health, false)
                            .endpoint(new GcAdmin(gc))
                            .endpoint(new ModeAdmin(vertx, coordination, config.storage().readOnly(), mode -> {
                                // An offline `fleetmirror gc` runs while the cluster is read-only: what
                                // members knew of blobs before the switch may be gone.
                                coordination.blobIndex().changedEverywhere();
                                snapshots.write(mode);
                            }))
                            .endpoint(new WarmAdmin(vertx, new Warmer(registries.mirrored(), stored,
                                    warmFetchers), warmRunners,
                                    () -> !config.storage().readOnly() && coordination.mode().current() == ClusterMode.READ_WRITE));
                    MaintenanceSchedule maintenance = MaintenanceSchedule.start(vertx, driver, coordination,
                            config.storage().uploadPurging(), pulls,
                            () -> !config.storage().readOnly() && coordination.mode().current() == ClusterMode.READ_WRITE);
                    // Callers' own credentials, checked with private upstreams that pass authentication through.
                    UpstreamCredentialCheck credentialChecks = new UpstreamCredentialCheck(PASS_THROUGH_TTL,
                            Clock.systemUTC());
                    AutoCloseable resources = () -> {
                        try (driver; localCache) {
                            warmFetchers.shutdownNow();
                            warmRunners.close();
                            gc.close();
                            snapshots.close();
                            // Last pulls are flushed before storage closes.
                            maintenance.close();
                            if (cache != null) {
                                cache.close();
                            }
                        }
                    };
                    AccessDecider privacy = cache == null ? AccessDecider.ALLOW_ALL
                            : new PrivateUpstreamAccess(repo -> cache.route(repo).map(route ->
                                    new PrivateUpstreamAccess.Origin(route.upstream(), route.remoteName())),
                                    config.proxy().allowAnonymousPrivateUpstream(), credentialChecks);
                    Function<StorageWorkers, Handler<HttpServerRequest>> peers = workers -> cache == null
                            ? PeerFillEndpoint.NOTHING_FILLED
                            : new PeerFillEndpoint(cache.fills(), workers, config.cluster().flatMap(ClusterSettings::secret));
                    return listen(vertx, config, registries.served(),
                            cache == null ? NamespaceResolver.NONE : cache.namespaces(), peers, admin, resources, coordination,
                            traffic, privacy, cache == null ? repo -> false : cache.mirrored())
                            .recover(failure -> vertx.executeBlocking(() -> {
                                try (coordination; resources) {
                                    return null;
                                }
                            }, false).transform(closed -> Future.failedFuture(failure)));
                }));
    }

    /** The cluster's coordination, or the standalone one; started on a worker, Hazelcast blocks while it joins. */
    private static Future<Coordination> joinCluster(Vertx vertx, NodeConfig config) {
        return vertx.executeBlocking(() -> {
            long started = System.nanoTime();
            Coordination coordination = config.cluster().isPresent()
                    ? HazelcastCoordination.start(config.cluster().get())
                    : new StandaloneCoordination();
            ClusterView view = coordination.view();
            LOG.info("cluster '{}' ({}): {} member{}, this one started in {} ms", view.name(),
                    config.cluster().isPresent() ? "hazelcast" : "standalone", view.members().size(),
                    view.members().size() == 1 ? "" : "s", (System.nanoTime() - started) / 1_000_000);
            return coordination;
        }, false);
    }

    /**
     * Serves {@code registry} (for instance a decorated one) with the HTTP and storage switches of
     * {@code config}; its storage backend is ignored. Closing the node does not close the registry.
     */
    public static Future<FleetMirrorNode> start(NodeConfig config, Registry registry) {
        Vertx vertx = NodeVertx.create(config.http());
        return closeOnFailure(vertx, joinCluster(vertx, config).compose(coordination ->
                listen(vertx, config, registry, NamespaceResolver.NONE, workers -> PeerFillEndpoint.NOTHING_FILLED,
                        new AdminRouter(config.cluster().flatMap(ClusterSettings::secret)), () -> { }, coordination,
                        Traffic.unobserved(), AccessDecider.ALLOW_ALL, repo -> false)
                        .recover(failure -> vertx.executeBlocking(() -> {
                            coordination.close();
                            return null;
                        }, false).transform(closed -> Future.failedFuture(failure)))));
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
                                                  NamespaceResolver namespaces,
                                                  Function<StorageWorkers, Handler<HttpServerRequest>> peerEndpoint,
                                                  AdminRouter admin,
                                                  AutoCloseable storage, Coordination coordination, Traffic traffic,
                                                  AccessDecider privacy, Predicate<RepositoryName> mirrored) {
        StorageWorkers workers = new StorageWorkers(vertx, StorageWorkers.DEFAULT_POOL_SIZE);
        NodeServices services = new NodeServices(registry, workers,
                config.storage().deleteEnabled(), config.storage().redirectDisabled(),
                new PushWindow(coordination.pushedBlobs(), config.gc().pushWindow(), mirrored));
        HttpServerOptions options = ServerOptions.of(config.http());
        ConnectionGuard guard = new ConnectionGuard(vertx, config.http().limits());
        return vertx.executeBlocking(() -> AuthSetup.create(vertx, config.auth(), privacy, namespaces), false)
                .compose(auth -> {
                    Dispatcher dispatcher = DistributionApi.dispatcher(services,
                                    WriteGate.of(config.storage().readOnly(), coordination.mode(), config.gc().maxHold()), namespaces)
                            .guard(auth.guard())
                            .mount(PeerProtocol.PREFIX, peerEndpoint.apply(workers))
                            .observe(traffic, AccessLog.of(config.log().accessLog()))
                            .mirrored(mirrored);
                    auth.tokenEndpoint().ifPresent(endpoint -> dispatcher.mount(TokenEndpoint.PATH, endpoint));
                    // Every node, however started, describes its cluster.
                    admin.endpoint(new ClusterAdmin(vertx, coordination, config.cluster(), traffic::upstreamUrls))
                            .mountOn(dispatcher, endpoint -> auth.adminOnly(endpoint, ResponseEnd::admitted));
                    return HttpServers.listen(vertx, options, config.http().eventLoops(), guard,
                            guard.tracking(dispatcher));
                })
                .compose(servers -> {
                    LOG.info("serving the registry on {}://{}:{} on {} event loop{} ({} storage{}{})",
                            config.http().tls().map(tls -> tls.mutual() ? "https (client certificates)" : "https").orElse("http"),
                            config.http().host(), servers.port(), servers.count(), servers.count() == 1 ? "" : "s",
                            config.storage().backend().getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT),
                            config.storage().readOnly() ? ", read-only maintenance mode" : "",
                            config.storage().deleteEnabled() ? "" : ", deletes disabled");
                    return vertx.executeBlocking(() -> {
                        coordination.advertise(PeerUrl.of(config, servers.port()));
                        return new FleetMirrorNode(vertx, servers, workers, storage, coordination);
                    }, false).recover(failure -> servers.close().transform(closed -> Future.failedFuture(failure)));
                });
    }

    /** The port the server listens on (the ephemeral one when configured with port 0). */
    public int port() {
        return servers.port();
    }

    public Vertx vertx() {
        return vertx;
    }

    /** What this node shares with its cluster (a standalone one without a {@code cluster:} section). */
    public Coordination coordination() {
        return coordination;
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
        // Not chained on the servers' contexts: they die with Vert.x, and with them any callback queued there.
        io.vertx.core.Promise<Void> closed = io.vertx.core.Promise.promise();
        servers.shutdown(graceSeconds, java.util.concurrent.TimeUnit.SECONDS)
                .eventually(() -> {
                    workers.close();
                    return vertx.executeBlocking(() -> {
                        // The cluster last: fills finishing during the grace still held their leases.
                        try (coordination; storage) {
                            return null;
                        }
                    }, false);
                })
                .onComplete(ignored -> vertx.close().onComplete(closed));
        return closed.future();
    }
}
