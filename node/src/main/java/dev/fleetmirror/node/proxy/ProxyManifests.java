package dev.fleetmirror.node.proxy;

import dev.fleetmirror.core.concurrent.SingleFlight;
import dev.fleetmirror.node.upstream.Route;
import dev.fleetmirror.coordination.mode.WritePermit;
import dev.fleetmirror.node.mode.WriteGate;
import dev.fleetmirror.coordination.tag.TagCheck;
import dev.fleetmirror.coordination.tag.TagClaim;
import dev.fleetmirror.coordination.tag.TagFreshness;
import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.manifest.ManifestParser;
import dev.fleetmirror.core.name.Reference;
import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.name.Tag;
import dev.fleetmirror.core.registry.ManifestPutResult;
import dev.fleetmirror.core.registry.Manifests;
import dev.fleetmirror.core.registry.StoredManifest;
import dev.fleetmirror.gc.expiry.PullRecorder;
import dev.fleetmirror.node.api.Staleness;
import dev.fleetmirror.node.metrics.Traffic;
import dev.fleetmirror.node.upstream.Blocking;
import dev.fleetmirror.node.upstream.FetchedManifest;
import dev.fleetmirror.node.upstream.ManifestCheck;
import dev.fleetmirror.node.upstream.ManifestPull;
import dev.fleetmirror.node.upstream.UpstreamException;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Manifests of mirrored repositories. By digest they are immutable: served from storage once there,
 * else fetched and stored byte for byte. By tag the cached digest is trusted for {@code tagttl}
 * after any member of the cluster confirmed it, then re-checked with a HEAD by one member while the
 * others wait for its outcome; a new digest is fetched once, however many requests ask. When the
 * upstream is in trouble a cached copy is served and marked stale. Every manifest served is noted
 * in the {@link PullRecorder}, so that expiry ({@code proxy.ttl}) keeps what clients still pull.
 */
final class ProxyManifests implements Manifests {
    private static final Logger LOG = LoggerFactory.getLogger(ProxyManifests.class);

    private final Manifests local;
    private final UpstreamRoutes routes;
    private final TagFreshness freshness;
    private final Duration tagTtl;
    private final PullRecorder pulls;
    private final SingleFlight<String, Served> resolving = new SingleFlight<>();

    private final WriteGate writes;

    ProxyManifests(Manifests local, UpstreamRoutes routes, TagFreshness freshness, Duration tagTtl, PullRecorder pulls,
                   WriteGate writes) {
        this.writes = writes;
        this.local = local;
        this.pulls = pulls;
        this.routes = routes;
        this.freshness = freshness;
        this.tagTtl = tagTtl;
    }

    @Override
    public Optional<StoredManifest> get(RepositoryName repo, Reference reference) {
        Optional<Route> route = routes.route(repo);
        if (route.isEmpty()) {
            return local.get(repo, reference);
        }
        Served served = mirrored(route.get(), repo, reference);
        if (served.manifest().isPresent()) {
            Traffic traffic = route.get().upstream().traffic();
            traffic.cache(reference instanceof Tag ? Traffic.Kind.TAG : Traffic.Kind.MANIFEST, served.result());
            if (served.result() == Traffic.Result.STALE) {
                traffic.stale(route.get().upstream().name());
            }
            pulls.pulled(repo, served.manifest().get().digest());
        }
        return served.manifest();
    }

    /** A manifest found (or not) and how: from storage, from upstream, or from storage while the upstream failed. */
    private record Served(Optional<StoredManifest> manifest, Traffic.Result result) {
        static Served hit(Optional<StoredManifest> manifest) {
            return new Served(manifest, Traffic.Result.HIT);
        }

        static Served miss(Optional<StoredManifest> manifest) {
            return new Served(manifest, Traffic.Result.MISS);
        }
    }

    private Served mirrored(Route route, RepositoryName repo, Reference reference) {
        if (reference instanceof Tag tag) {
            return resolving.run(repo + ":" + tag, () -> resolve(route, repo, tag));
        }
        Optional<StoredManifest> cached = local.get(repo, reference);
        if (cached.isPresent()) {
            return Served.hit(cached);
        }
        return resolving.run(repo + "@" + reference, () -> Served.miss(fetch(route, repo, reference, Optional.empty())));
    }

    /** One request per tag at a time on this node; the cluster's freshness decides whether it asks upstream. */
    private Served resolve(Route route, RepositoryName repo, Tag tag) {
        Optional<StoredManifest> cached = local.get(repo, tag);
        TagCheck check = freshness.check(repo, tag);
        if (check instanceof TagCheck.Fresh fresh) {
            // The member that confirmed a new digest stored it first; this node may have read storage before that.
            Optional<StoredManifest> stored = pointsAt(cached, fresh.digest()) ? cached : local.get(repo, tag);
            if (pointsAt(stored, fresh.digest())) {
                return Served.hit(stored);
            }
            // Storage lost what was confirmed (deleted since): find out alone, holding nobody up.
            return recheck(route, repo, tag, stored, TagClaim.NONE);
        }
        if (check instanceof TagCheck.Pending) {
            return cached.isPresent() ? Served.hit(cached) : recheck(route, repo, tag, cached, TagClaim.NONE);
        }
        try (TagClaim claim = ((TagCheck.Due) check).claim()) {
            return recheck(route, repo, tag, cached, claim);
        }
    }

    private static boolean pointsAt(Optional<StoredManifest> manifest, Digest digest) {
        return manifest.isPresent() && manifest.get().digest().equals(digest);
    }

    /** Asks upstream where the tag points, fetching the manifest when it moved; {@code claim} hears the outcome. */
    private Served recheck(Route route, RepositoryName repo, Tag tag, Optional<StoredManifest> cached, TagClaim claim) {
        try {
            Optional<Digest> current = Blocking.await(route.upstream().call(new ManifestCheck(route.remoteName(), tag)));
            if (cached.isPresent() && current.equals(Optional.of(cached.get().digest()))) {
                claim.confirmed(cached.get().digest(), tagTtl);
                return Served.hit(cached);
            }
            Optional<StoredManifest> fetched = fetch(route, repo, tag, current);
            fetched.ifPresent(manifest -> claim.confirmed(manifest.digest(), tagTtl));
            return Served.miss(fetched);
        } catch (UpstreamException e) {
            if (e.isNotFound()) {
                return Served.miss(Optional.empty());
            }
            if (e.isTrouble() && cached.isPresent()) {
                LOG.warn("{}:{}: {} ({}); serving the cached {}", repo, tag, e.staleReason(), e.getMessage(),
                        cached.get().digest());
                Staleness.report(e.staleReason());
                return new Served(cached, Traffic.Result.STALE);
            }
            throw e;
        }
    }

    /** Fetches and stores the manifest; the bytes must hash to the digest asked for or claimed. */
    private Optional<StoredManifest> fetch(Route route, RepositoryName repo, Reference reference,
                                           Optional<Digest> announced) {
        FetchedManifest fetched;
        try {
            fetched = Blocking.await(route.upstream().call(new ManifestPull(route.remoteName(), reference)));
            route.upstream().traffic().upstreamBytes(route.upstream().name(), fetched.content().length);
        } catch (UpstreamException e) {
            if (e.isNotFound()) {
                return Optional.empty();
            }
            throw e;
        }
        Digest expected = reference instanceof Reference.ByDigest byDigest ? byDigest.digest()
                : fetched.claimedDigest().or(() -> announced).orElse(null);
        Digest actual = expected == null ? Digest.sha256(fetched.content())
                : Digest.compute(expected.algorithm(), fetched.content());
        if (expected != null && !actual.equals(expected)) {
            LOG.warn("{} {}: upstream {} sent a manifest with digest {} for {}; not cached", repo, reference,
                    route.upstream().name(), actual, expected);
            throw UpstreamException.corrupt(route.upstream().name(), "manifest " + reference + " of " + route.remoteName()
                    + " hashes to " + actual + ", not " + expected);
        }
        Optional<WritePermit> permit = writes.tryAcquire();
        if (permit.isPresent()) {
            try (WritePermit held = permit.get()) {
                local.putFetched(repo, reference, fetched.contentType(), fetched.content());
            }
        } else {
            LOG.info("{} {}: served from upstream {} without caching it: storage is read-only", repo, reference,
                    route.upstream().name());
        }
        return Optional.of(new StoredManifest(actual, ManifestParser.detectMediaType(fetched.content()), fetched.content()));
    }

    @Override
    public ManifestPutResult put(RepositoryName repo, Reference reference, String contentType, byte[] body) {
        routes.requireHosted(repo, "pushing");
        return local.put(repo, reference, contentType, body);
    }

    @Override
    public ManifestPutResult putFetched(RepositoryName repo, Reference reference, String contentType, byte[] body) {
        return local.putFetched(repo, reference, contentType, body);
    }

    @Override
    public void delete(RepositoryName repo, Reference reference) {
        routes.requireHosted(repo, "deleting");
        local.delete(repo, reference);
    }
}
