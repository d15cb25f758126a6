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
import dev.fleetmirror.node.upstream.BlobCheck;
import dev.fleetmirror.node.upstream.Blocking;
import dev.fleetmirror.node.upstream.UpstreamException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Blobs of mirrored repositories: from storage once cached, else from the fill of the blob (one
 * upstream GET shared by every request in the cluster). Hosted repositories go straight to storage.
 *
 * <p>A blob is visible in a mirrored repository when it is linked there, when a fill of the same
 * origin (upstream and repository there) is in flight, or when the repository's own upstream says it
 * has the blob (a HEAD). Fills and stored data are shared by digest, but a request never reads a
 * blob through a repository its upstream does not have it in: a fill of another origin, or data
 * stored for another repository, is joined or linked only after that HEAD answered. So private bytes
 * fetched for one repository never reach a reader of another, while they are filled or afterwards.
 */
final class ProxyBlobs implements Blobs {
    private final Blobs local;
    private final UpstreamRoutes routes;
    private final InFlightFills fills;
    private final FillLauncher filler;
    private final FillLeases leases;

    /** @param leases the cluster's fills, whose owners know the size of a blob they fill */
    ProxyBlobs(Blobs local, UpstreamRoutes routes, InFlightFills fills, FillLauncher filler, FillLeases leases) {
        this.leases = leases;
        this.local = local;
        this.routes = routes;
        this.fills = fills;
        this.filler = filler;
    }

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
        Optional<BlobDescriptor> cached = local.stat(repo, digest);
        Optional<Route> route = routes.route(repo);
        if (route.isEmpty()) {
            return cached;
        }
        Traffic traffic = route.get().upstream().traffic();
        if (cached.isPresent()) {
            if (pull) {
                traffic.cache(Traffic.Kind.BLOB, Traffic.Result.HIT);
            }
            return cached;
        }
        Optional<BlobDescriptor> found = sameOriginFillSize(route.get(), digest)
                .map(size -> new BlobDescriptor(digest, size))
                .or(() -> upstreamSize(route.get(), digest).map(size -> new BlobDescriptor(digest, size)));
        if (pull && found.isPresent()) {
            traffic.cache(Traffic.Kind.BLOB, Traffic.Result.MISS);
        }
        return found;
    }

    /** The size of a fill of this route's origin in flight here or on another member, once known. */
    private Optional<Long> sameOriginFillSize(Route route, Digest digest) {
        OptionalLong filling = fills.sizeInFlight(digest, route.origin());
        if (filling.isPresent() && filling.getAsLong() >= 0) {
            return Optional.of(filling.getAsLong());
        }
        return leases.holder(digest).filter(holder -> holder.sameOrigin(route.origin()) && holder.size() >= 0)
                .map(FillHolder::size);
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

    @Override
    public InputStream open(RepositoryName repo, Digest digest, long offset) {
        Optional<Route> route = routes.route(repo);
        if (route.isEmpty() || local.stat(repo, digest).isPresent()) {
            return local.open(digest, offset);
        }
        Route from = route.get();
        Traffic traffic = from.upstream().traffic();
        boolean[] started = new boolean[1];
        FillStarter starter = d -> {
            // A fill leaves the registry only once stored: data found here means it just finished.
            if (local.dataStored(d)) {
                throw new AlreadyStored(d);
            }
            started[0] = true;
            return filler.start(from, repo, d);
        };
        try {
            InputStream in;
            try {
                in = fills.follow(digest, offset, from.origin(), starter);
            } catch (ForeignFill foreign) {
                // Fetched for another repository, maybe with credentials our readers lack: ours must have it too.
                requireUpstreamHas(from, repo, digest);
                in = fills.follow(digest, offset, starter);
            }
            if (!started[0]) {
                traffic.fillWait();
            }
            return in;
        } catch (AlreadyStored stored) {
            // Stored by a fill here or on another member, maybe for another repository: linked here once ours has it.
            requireUpstreamHas(from, repo, digest);
            local.linkStored(repo, digest);
            return local.open(digest, offset);
        }
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
