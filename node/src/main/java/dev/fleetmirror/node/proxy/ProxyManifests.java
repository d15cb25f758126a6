package dev.fleetmirror.node.proxy;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.manifest.ManifestParser;
import dev.fleetmirror.core.name.Reference;
import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.name.Tag;
import dev.fleetmirror.core.registry.ManifestPutResult;
import dev.fleetmirror.core.registry.Manifests;
import dev.fleetmirror.core.registry.StoredManifest;
import dev.fleetmirror.node.http.Staleness;
import dev.fleetmirror.node.upstream.Blocking;
import dev.fleetmirror.node.upstream.FetchedManifest;
import dev.fleetmirror.node.upstream.ManifestCheck;
import dev.fleetmirror.node.upstream.ManifestPull;
import dev.fleetmirror.node.upstream.UpstreamException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Manifests of mirrored repositories. By digest they are immutable: served from storage once there,
 * else fetched and stored byte for byte. By tag the cached digest is trusted for {@code tagttl},
 * then re-checked with a HEAD; a new digest is fetched once, however many requests ask. When the
 * upstream is in trouble a cached copy is served and marked stale.
 */
final class ProxyManifests implements Manifests {
    private static final Logger LOG = LoggerFactory.getLogger(ProxyManifests.class);

    private final Manifests local;
    private final UpstreamRoutes routes;
    private final TagFreshness freshness;
    private final SingleFlight<String, Optional<StoredManifest>> resolving = new SingleFlight<>();

    ProxyManifests(Manifests local, UpstreamRoutes routes, TagFreshness freshness) {
        this.local = local;
        this.routes = routes;
        this.freshness = freshness;
    }

    @Override
    public Optional<StoredManifest> get(RepositoryName repo, Reference reference) {
        Optional<Route> route = routes.route(repo);
        if (route.isEmpty()) {
            return local.get(repo, reference);
        }
        if (reference instanceof Tag tag) {
            Optional<StoredManifest> cached = local.get(repo, tag);
            if (cached.isPresent() && freshness.fresh(repo, tag)) {
                return cached;
            }
            return resolving.run(repo + ":" + tag, () -> recheck(route.get(), repo, tag, cached));
        }
        Optional<StoredManifest> cached = local.get(repo, reference);
        if (cached.isPresent()) {
            return cached;
        }
        return resolving.run(repo + "@" + reference, () -> fetch(route.get(), repo, reference, Optional.empty()));
    }

    private Optional<StoredManifest> recheck(Route route, RepositoryName repo, Tag tag, Optional<StoredManifest> cached) {
        try {
            Optional<Digest> current = Blocking.await(route.upstream().call(new ManifestCheck(route.remoteName(), tag)));
            if (cached.isPresent() && current.equals(Optional.of(cached.get().digest()))) {
                freshness.confirmed(repo, tag);
                return cached;
            }
            Optional<StoredManifest> fetched = fetch(route, repo, tag, current);
            freshness.confirmed(repo, tag);
            return fetched;
        } catch (UpstreamException e) {
            if (e.isNotFound()) {
                return Optional.empty();
            }
            if (e.isTrouble() && cached.isPresent()) {
                LOG.warn("{}:{}: {} ({}); serving the cached {}", repo, tag, e.staleReason(), e.getMessage(),
                        cached.get().digest());
                Staleness.report(e.staleReason());
                return cached;
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
        local.putFetched(repo, reference, fetched.contentType(), fetched.content());
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
