package dev.fleetmirror.node.proxy;

import dev.fleetmirror.coordination.fill.FillHolder;
import dev.fleetmirror.coordination.fill.FillLeases;
import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.fill.AlreadyStored;
import dev.fleetmirror.core.fill.InFlightFills;
import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.registry.BlobDescriptor;
import dev.fleetmirror.core.registry.Blobs;
import dev.fleetmirror.node.metrics.Traffic;
import dev.fleetmirror.node.upstream.BlobCheck;
import dev.fleetmirror.node.upstream.Blocking;
import dev.fleetmirror.node.upstream.UpstreamException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Predicate;

/**
 * Blobs of mirrored repositories: from storage once cached, else from the fill of the blob (one
 * upstream GET shared by every request in the cluster). A HEAD of an uncached blob is answered from
 * the fill in flight on this or another member, else asks upstream with a HEAD.
 * Hosted repositories go straight to storage.
 */
final class ProxyBlobs implements Blobs {
    private final Blobs local;
    private final UpstreamRoutes routes;
    private final InFlightFills fills;
    private final BlobFiller filler;
    private final Predicate<Digest> dataStored;
    private final FillLeases leases;

    /** @param leases the cluster's fills, whose owners know the size of a blob they fill */
    ProxyBlobs(Blobs local, UpstreamRoutes routes, InFlightFills fills, BlobFiller filler, Predicate<Digest> dataStored,
               FillLeases leases) {
        this.leases = leases;
        this.local = local;
        this.routes = routes;
        this.fills = fills;
        this.filler = filler;
        this.dataStored = dataStored;
    }

    @Override
    public Optional<BlobDescriptor> stat(RepositoryName repo, Digest digest) {
        Optional<BlobDescriptor> cached = local.stat(repo, digest);
        Optional<Route> route = routes.route(repo);
        if (cached.isPresent() && route.isPresent()) {
            // Every GET and HEAD looks here first: a hit is counted here, a miss where the fill is joined.
            route.get().upstream().traffic().cache(Traffic.Kind.BLOB, Traffic.Result.HIT);
        }
        if (cached.isPresent() || route.isEmpty()) {
            return cached;
        }
        OptionalLong filling = fills.sizeInFlight(digest);
        if (filling.isPresent() && filling.getAsLong() >= 0) {
            return Optional.of(new BlobDescriptor(digest, filling.getAsLong()));
        }
        Optional<FillHolder> elsewhere = leases.holder(digest);
        if (elsewhere.isPresent() && elsewhere.get().size() >= 0) {
            return Optional.of(new BlobDescriptor(digest, elsewhere.get().size()));
        }
        try {
            long size = Blocking.await(route.get().upstream().call(new BlobCheck(route.get().remoteName(), digest)));
            return Optional.of(new BlobDescriptor(digest, size));
        } catch (UpstreamException e) {
            if (e.isNotFound()) {
                return Optional.empty();
            }
            throw e;
        }
    }

    @Override
    public InputStream open(Digest digest, long offset) {
        return local.open(digest, offset);
    }

    @Override
    public InputStream open(RepositoryName repo, Digest digest, long offset) {
        Optional<Route> route = routes.route(repo);
        if (route.isEmpty()) {
            return local.open(digest, offset);
        }
        Traffic traffic = route.get().upstream().traffic();
        if (local.stat(repo, digest).isPresent()) {
            return local.open(digest, offset);
        }
        boolean[] started = new boolean[1];
        try {
            InputStream in = fills.follow(digest, offset, d -> {
                // A fill leaves the registry only once stored: data found here means it just finished.
                if (dataStored.test(d)) {
                    throw new AlreadyStored(d);
                }
                started[0] = true;
                return filler.start(route.get(), repo, d);
            });
            traffic.cache(Traffic.Kind.BLOB, Traffic.Result.MISS);
            if (!started[0]) {
                traffic.fillWait();
            }
            return in;
        } catch (AlreadyStored stored) {
            // Between this request's storage check and its join, a fill here or on another member stored it.
            traffic.cache(Traffic.Kind.BLOB, Traffic.Result.HIT);
            local.mount(repo, Optional.empty(), digest);
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
        return !fills.inFlight(digest) && dataStored.test(digest) ? local.redirectUrl(digest) : Optional.empty();
    }

    @Override
    public Optional<BlobDescriptor> mount(RepositoryName target, Optional<RepositoryName> from, Digest digest) {
        routes.requireHosted(target, "pushing");
        return local.mount(target, from, digest);
    }

    @Override
    public void delete(RepositoryName repo, Digest digest) {
        routes.requireHosted(repo, "deleting");
        local.delete(repo, digest);
    }
}
