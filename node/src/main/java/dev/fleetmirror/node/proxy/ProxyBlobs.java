package dev.fleetmirror.node.proxy;

import dev.fleetmirror.node.upstream.Route;
import dev.fleetmirror.coordination.fill.FillHolder;
import dev.fleetmirror.coordination.fill.FillLeases;
import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.node.fill.AlreadyStored;
import dev.fleetmirror.node.fill.FillLauncher;
import dev.fleetmirror.node.fill.FillStarter;
import dev.fleetmirror.node.fill.ForeignFill;
import dev.fleetmirror.node.fill.InFlightFills;
import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.registry.BlobDescriptor;
import dev.fleetmirror.core.registry.Blobs;
import dev.fleetmirror.core.error.ErrorCode;
import dev.fleetmirror.core.error.RegistryException;
import dev.fleetmirror.node.metrics.Traffic;
import dev.fleetmirror.node.mode.WriteGate;
import dev.fleetmirror.coordination.mode.WritePermit;
import dev.fleetmirror.node.upstream.BlobCheck;
import dev.fleetmirror.node.upstream.Blocking;
import dev.fleetmirror.node.upstream.UpstreamException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Blobs of mirrored repositories: from storage once cached, else from the fill of the blob (one
 * upstream GET shared by every request in the cluster). Hosted repositories go straight to storage.
 *
 * <p>A cold miss costs one upstream exchange per blob per cluster, HEADs included: a GET or HEAD
 * that finds the blob neither in a fill of its origin in flight here nor linked in storage starts
 * (or joins) the fill, which claims the blob's cluster lease and, having won it, sends the one
 * upstream GET; the size comes from that GET's answer and is published in the lease, so every
 * request on every member waits for it instead of asking the upstream. A HEAD is a prefetch: the
 * blob it asks about is about to be pulled. A HEAD that finds another member's fill of its origin
 * waits for the size that fill's lease learns, without streaming the blob here. An upstream 404
 * reaches every waiter as {@code BLOB_UNKNOWN} and is remembered by the lease for a few seconds.
 *
 * <p>A blob is visible in a mirrored repository when it is linked there, when a fill of the same
 * origin (upstream and repository there) is in flight or has just stored it, or when the
 * repository's own upstream says it has the blob (a HEAD). Fills and stored data are shared by
 * digest, but a request never reads a blob through a repository its upstream does not have it in: a
 * fill of another origin, or data stored for another repository, is joined or linked only after
 * that HEAD answered. So private bytes fetched for one repository never reach a reader of another,
 * while they are filled or afterwards. Those HEADs are the only upstream requests besides the fill.
 */
final class ProxyBlobs implements Blobs {
    /** How often a HEAD looks at another member's lease for the size its upstream GET announced. */
    private static final long LEASE_POLL_MS = 20;
    /** How long a HEAD waits for another member's upstream to answer, as a joiner of a local fill does. */
    private static final long LEASE_WAIT_MS = 120_000;

    private final Blobs local;
    private final UpstreamRoutes routes;
    private final InFlightFills fills;
    private final FillLauncher filler;
    private final FillLeases leases;
    private final String memberId;
    private final WriteGate writes;

    /**
     * @param leases   the cluster's fills, whose owners publish the size of a blob they fill
     * @param memberId this member's id, as leases name it
     * @param writes   whether a link may be written now (not while the cluster is read-only)
     */
    ProxyBlobs(Blobs local, UpstreamRoutes routes, InFlightFills fills, FillLauncher filler, FillLeases leases,
               String memberId, WriteGate writes) {
        this.writes = writes;
        this.leases = leases;
        this.local = local;
        this.routes = routes;
        this.fills = fills;
        this.filler = filler;
        this.memberId = memberId;
    }

    /** The blob's descriptor; on a miss (a HEAD), the fill is started or joined for its size. */
    @Override
    public Optional<BlobDescriptor> stat(RepositoryName repo, Digest digest) {
        return find(repo, digest, false);
    }

    /** As {@link #stat}, counting the pull as a cache hit (linked here) or miss (to be filled). */
    @Override
    public Optional<BlobDescriptor> statForPull(RepositoryName repo, Digest digest) {
        return find(repo, digest, true);
    }

    private Optional<BlobDescriptor> find(RepositoryName repo, Digest digest, boolean pull) {
        Optional<Route> route = routes.route(repo);
        if (route.isEmpty()) {
            return local.stat(repo, digest);
        }
        Route from = route.get();
        Traffic traffic = from.upstream().traffic();
        boolean[] started = new boolean[1];
        Optional<BlobDescriptor> found;
        try {
            found = fromFillInFlight(from, repo, digest, started);
        } catch (NothingInFlight none) {
            Optional<BlobDescriptor> cached = local.stat(repo, digest);
            if (cached.isPresent()) {
                if (pull) {
                    traffic.cache(Traffic.Kind.BLOB, Traffic.Result.HIT);
                }
                return cached;
            }
            try {
                Optional<Long> size = pull ? sizeFromFill(from, repo, digest, started, true)
                        : remoteFillSize(from, digest).or(() -> sizeFromFill(from, repo, digest, started, true));
                found = size.map(bytes -> new BlobDescriptor(digest, bytes));
            } catch (AlreadyStored stored) {
                found = linkAfterFill(from, repo, digest, stored);
            }
        } catch (AlreadyStored stored) {
            found = linkAfterFill(from, repo, digest, stored);
        }
        if (pull && found.isPresent()) {
            traffic.cache(Traffic.Kind.BLOB, Traffic.Result.MISS);
            if (!started[0]) {
                traffic.fillWait();
            }
        }
        return found;
    }

    /**
     * The blob as the fill of it in flight here says, without a look into storage (which has nothing
     * yet). Fails with {@link NothingInFlight} when no fill is in flight here (or it ended before we
     * joined it).
     */
    private Optional<BlobDescriptor> fromFillInFlight(Route from, RepositoryName repo, Digest digest, boolean[] started) {
        if (!fills.inFlight(digest)) {
            throw NothingInFlight.INSTANCE;
        }
        return sizeFromFill(from, repo, digest, started, false).map(size -> new BlobDescriptor(digest, size));
    }

    /**
     * The size from this member's fill of the blob, joined or (when {@code start}) started now, once
     * its source answered; empty when the blob is not in the repository. A fill of another origin
     * here is not joined without our upstream's word (a HEAD), whose answer is then the size.
     */
    private Optional<Long> sizeFromFill(Route from, RepositoryName repo, Digest digest, boolean[] started, boolean start) {
        FillStarter starter = start ? d -> filler.start(from, repo, d) : d -> {
            throw NothingInFlight.INSTANCE;
        };
        try {
            return Optional.of(fills.size(digest, from.origin(), starter, started));
        } catch (ForeignFill foreign) {
            return upstreamSize(from, digest);
        } catch (RegistryException e) {
            if (e.code() == ErrorCode.BLOB_UNKNOWN) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** A join-only look at the fills here found none: the one seen a moment ago ended. */
    private static final class NothingInFlight extends RuntimeException {
        static final NothingInFlight INSTANCE = new NothingInFlight();

        private NothingInFlight() {
            super("no fill in flight", null, false, false);
        }
    }

    /**
     * For a HEAD, the size another member's fill of our origin announced in its lease, waited for
     * (that member's upstream GET answers it; nothing is asked upstream here, nothing streamed). A
     * fill of another origin answers nothing until our own upstream confirmed the blob: that HEAD's
     * size is the answer. Empty when no other member fills the blob.
     */
    private Optional<Long> remoteFillSize(Route from, Digest digest) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LEASE_WAIT_MS);
        while (true) {
            Optional<FillHolder> holder = leases.holder(digest);
            if (holder.isEmpty() || holder.get().memberId().equals(memberId)) {
                return Optional.empty();
            }
            if (!holder.get().sameOrigin(from.origin())) {
                return Optional.of(upstreamSize(from, digest).orElseThrow(() -> notHere(digest, from)));
            }
            if (holder.get().size() >= 0) {
                return Optional.of(holder.get().size());
            }
            if (System.nanoTime() - deadline > 0) {
                // Stalled: our own fill looks for a source (or takes the fill over) and waits on its terms.
                return Optional.empty();
            }
            try {
                Thread.sleep(LEASE_POLL_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the fill of " + digest, e);
            }
        }
    }

    /**
     * A fill of the blob stored it between our look into storage and our claim (or storage had it,
     * stored for some repository): linked here at once when it was stored for our origin, which
     * already linked it in our repository; for another origin or an unknown one, once our upstream
     * confirmed the blob is in our repository.
     */
    private Optional<BlobDescriptor> linkAfterFill(Route from, RepositoryName repo, Digest digest, AlreadyStored stored) {
        Optional<Long> confirmed = Optional.empty();
        if (stored.sameOrigin(from.origin())) {
            Optional<BlobDescriptor> linked = local.stat(repo, digest);
            if (linked.isPresent()) {
                return linked;
            }
        } else {
            confirmed = upstreamSize(from, digest);
            if (confirmed.isEmpty()) {
                return Optional.empty();
            }
        }
        Optional<WritePermit> permit = writes.tryAcquire();
        if (permit.isPresent()) {
            try (WritePermit held = permit.get()) {
                return local.linkStored(repo, digest);
            }
        }
        // Read-only: served from the data stored for the other repository, linked here once writes resume.
        return confirmed.or(() -> upstreamSize(from, digest)).map(size -> new BlobDescriptor(digest, size));
    }

    private static RegistryException notHere(Digest digest, Route route) {
        return new RegistryException(ErrorCode.BLOB_UNKNOWN, "blob " + digest + " is not in repository "
                + route.remoteName() + " of upstream " + route.upstream().name());
    }

    /** The blob's size as the route's upstream has it in the route's repository, or empty when it does not. */
    private static Optional<Long> upstreamSize(Route route, Digest digest) {
        try {
            return Optional.of(Blocking.await(route.upstream().call(new BlobCheck(route.remoteName(), digest))));
        } catch (UpstreamException e) {
            if (e.isNotFound()) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private static void requireUpstreamHas(Route route, RepositoryName repo, Digest digest) {
        if (upstreamSize(route, digest).isEmpty()) {
            throw new RegistryException(ErrorCode.BLOB_UNKNOWN, "blob " + digest + " is not in repository " + repo);
        }
    }

    @Override
    public InputStream open(Digest digest, long offset) {
        return local.open(digest, offset);
    }

    /**
     * Reads the fill of our origin in flight here (the one the request's stat started or joined)
     * without looking into storage; else storage; else starts the fill (a caller that did not stat).
     */
    @Override
    public InputStream open(RepositoryName repo, Digest digest, long offset) {
        Optional<Route> route = routes.route(repo);
        if (route.isEmpty()) {
            return local.open(digest, offset);
        }
        Route from = route.get();
        try {
            Optional<InputStream> joined;
            try {
                joined = fills.join(digest, offset, from.origin());
            } catch (ForeignFill foreign) {
                // Fetched for another repository, maybe with credentials our readers lack: ours must have it too.
                requireUpstreamHas(from, repo, digest);
                joined = fills.join(digest, offset, null);
            }
            if (joined.isPresent()) {
                return joined.get();
            }
            if (local.stat(repo, digest).isPresent()) {
                return local.open(digest, offset);
            }
            return startOrFollow(from, repo, digest, offset);
        } catch (AlreadyStored stored) {
            if (linkAfterFill(from, repo, digest, stored).isEmpty()) {
                throw new RegistryException(ErrorCode.BLOB_UNKNOWN, "blob " + digest + " is not in repository " + repo);
            }
            return local.open(digest, offset);
        }
    }

    private InputStream startOrFollow(Route from, RepositoryName repo, Digest digest, long offset) {
        boolean[] started = new boolean[1];
        FillStarter starter = d -> {
            started[0] = true;
            return filler.start(from, repo, d);
        };
        InputStream in;
        try {
            in = fills.follow(digest, offset, from.origin(), starter);
        } catch (ForeignFill foreign) {
            requireUpstreamHas(from, repo, digest);
            in = fills.follow(digest, offset, starter);
        }
        if (!started[0]) {
            from.upstream().traffic().fillWait();
        }
        return in;
    }

    /** Not while the blob is being filled: its data is not in storage yet. */
    @Override
    public Optional<Path> localFile(Digest digest) {
        return fills.inFlight(digest) ? Optional.empty() : local.localFile(digest);
    }

    /** Only for data in storage: a presigned URL to an object that does not exist yet would be a 404 at the backend. */
    @Override
    public Optional<URI> redirectUrl(Digest digest) {
        return !fills.inFlight(digest) && local.dataStored(digest) ? local.redirectUrl(digest) : Optional.empty();
    }

    @Override
    public Optional<BlobDescriptor> mount(RepositoryName target, RepositoryName from, Digest digest) {
        routes.requireHosted(target, "pushing");
        return local.mount(target, from, digest);
    }

    @Override
    public boolean dataStored(Digest digest) {
        return local.dataStored(digest);
    }

    @Override
    public Optional<BlobDescriptor> linkStored(RepositoryName repo, Digest digest) {
        return local.linkStored(repo, digest);
    }

    @Override
    public void delete(RepositoryName repo, Digest digest) {
        routes.requireHosted(repo, "deleting");
        local.delete(repo, digest);
    }
}
