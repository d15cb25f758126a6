package dev.fleetmirror.node.proxy;

import dev.fleetmirror.node.upstream.Route;
import dev.fleetmirror.coordination.ClusterSettings;
import dev.fleetmirror.coordination.Coordination;
import dev.fleetmirror.node.mode.WriteGate;
import dev.fleetmirror.node.fill.FillLauncher;
import dev.fleetmirror.node.fill.FillSources;
import dev.fleetmirror.node.fill.Fill;
import dev.fleetmirror.node.fill.InFlightFills;
import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.registry.Registry;
import dev.fleetmirror.core.registry.stored.MirroredReferrers;
import dev.fleetmirror.gc.expiry.PullRecorder;
import dev.fleetmirror.node.config.ProxyConfig;
import dev.fleetmirror.node.config.UpstreamConfig;
import dev.fleetmirror.node.fill.PeerFillClient;
import dev.fleetmirror.node.api.NamespaceResolver;
import dev.fleetmirror.node.metrics.Traffic;
import dev.fleetmirror.node.upstream.UpstreamCaller;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's pull-through cache: the storage-backed registry decorated so that mirrored repositories
 * are filled from their upstreams, plus the routing of containerd's {@code ?ns=} requests. Nothing
 * is contacted at start-up, so a node starts whether or not its upstreams are reachable.
 */
public final class PullThroughCache implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PullThroughCache.class);
    /** Concurrent fills whose storage writers run at once; more wait (their clients still stream). */
    private static final int STORAGE_WRITERS = 16;
    private static final Duration MIN_STALL_LIMIT = Duration.ofSeconds(30);

    private final Registry registry;
    private final UpstreamRoutes routes;
    private final WorkerExecutor spoolWriters;
    private final WorkerExecutor storageWriters;
    private final InFlightFills fills;
    private final PeerFillClient peers;

    private PullThroughCache(Registry registry, UpstreamRoutes routes, WorkerExecutor spoolWriters,
                             WorkerExecutor storageWriters, InFlightFills fills, PeerFillClient peers) {
        this.registry = registry;
        this.routes = routes;
        this.spoolWriters = spoolWriters;
        this.storageWriters = storageWriters;
        this.fills = fills;
        this.peers = peers;
    }

    /**
     * @param context    an event-loop context for upstream traffic
     * @param stored     the storage-backed registry
     * @param coordination the cluster's fill leases, upstream limits and tokens, and tag freshness (a cluster
     *                     of one without a {@code cluster:} section)
     * @param cluster    the secret peer requests carry and the lease TTL that bounds a takeover
     * @param pulls      hears of every manifest served from a mirrored repository
     * @param writes     whether fetched content may be stored now (not while the cluster is read-only)
     * @param traffic    counts cache hits and misses, upstream requests and bytes, fills
     * @param mirroredReferrers where the upstreams' referrers lists are kept between re-checks
     * @param verified   hears of each fill that ended here with its content verified (the local tier
     *                   keeps a copy); must not block
     */
    public static PullThroughCache create(Vertx vertx, Context context, ProxyConfig config, Registry stored,
                                          Coordination coordination,
                                          ClusterSettings cluster, PullRecorder pulls, WriteGate writes,
                                          Traffic traffic, MirroredReferrers mirroredReferrers,
                                          Consumer<Fill> verified) {
        List<UpstreamCaller> callers = new ArrayList<>();
        for (UpstreamConfig upstream : config.upstreams()) {
            callers.add(new UpstreamCaller(vertx, context, upstream, coordination.upstreamTokens(),
                    coordination.limits(), traffic));
            LOG.info("mirroring {} as {}{}{}", upstream.urls().size() == 1 ? upstream.url() : upstream.urls(),
                    upstream.catchAll() ? "every repository" : upstream.prefix() + "*",
                    upstream.isDefault() ? " and every name no prefix or hosted namespace claims" : "",
                    upstream.limit().map(limit -> ", limited to " + limit).orElse(""));
        }
        UpstreamRoutes routes = new UpstreamRoutes(callers, config.hosted());
        WorkerExecutor spoolWriters = vertx.createSharedWorkerExecutor("fleetmirror-spool", 4);
        WorkerExecutor storageWriters = vertx.createSharedWorkerExecutor("fleetmirror-fill-store", STORAGE_WRITERS,
                60, TimeUnit.MINUTES);
        InFlightFills fills = new InFlightFills(verified);
        traffic.fillsInFlight(fills::count);
        PeerFillClient peers = new PeerFillClient(vertx, cluster.secret());
        FillLauncher filler = new FillLauncher(new FillSources(context, coordination.fills(), coordination.memberId(), peers,
                stored.blobs()::dataStored, stored.uploads(), config.spoolDirectory(), spoolWriters, storageWriters,
                stallLimit(cluster.leaseTtl()), writes));
        Registry decorated = new Registry(
                new ProxyBlobs(stored.blobs(), routes, fills, filler, coordination.fills(),
                        coordination.memberId(), writes),
                new ProxyUploads(stored.uploads(), routes),
                new ProxyManifests(stored.manifests(), routes, coordination.tagFreshness(), config.tagTtl(), pulls, writes),
                new ProxyTags(stored.tags(), routes),
                stored.catalog(),
                new ProxyReferrers(stored.referrers(), mirroredReferrers, routes, coordination.tagFreshness(),
                        config.tagTtl(), writes));
        return new PullThroughCache(decorated, routes, spoolWriters, storageWriters, fills, peers);
    }

    /** A fill looking for a source gives up after this long without a byte: past a lapsed lease, with room. */
    private static Duration stallLimit(Duration leaseTtl) {
        Duration threeLeases = leaseTtl.multipliedBy(3);
        return threeLeases.compareTo(MIN_STALL_LIMIT) > 0 ? threeLeases : MIN_STALL_LIMIT;
    }

    /** The fills in flight on this member, which other members tail through the peer endpoint. */
    public InFlightFills fills() {
        return fills;
    }

    public Registry registry() {
        return registry;
    }

    /** Whether a repository mirrors an upstream, which is what expiry of cached content may unlink from. */
    public Predicate<RepositoryName> mirrored() {
        return repo -> routes.route(repo).isPresent();
    }

    /** Where {@code repo} is mirrored from, if it is. */
    public Optional<Route> route(RepositoryName repo) {
        return routes.route(repo);
    }

    public NamespaceResolver namespaces() {
        return routes;
    }

    @Override
    public void close() {
        routes.upstreams().forEach(UpstreamCaller::close);
        peers.close();
        spoolWriters.close();
        storageWriters.close();
    }
}
