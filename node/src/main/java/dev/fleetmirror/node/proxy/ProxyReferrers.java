package dev.fleetmirror.node.proxy;

import dev.fleetmirror.core.concurrent.SingleFlight;
import dev.fleetmirror.coordination.mode.WritePermit;
import dev.fleetmirror.coordination.tag.TagCheck;
import dev.fleetmirror.coordination.tag.TagClaim;
import dev.fleetmirror.coordination.tag.TagFreshness;
import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.error.RegistryException;
import dev.fleetmirror.core.manifest.Descriptor;
import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.registry.Referrers;
import dev.fleetmirror.core.registry.stored.MirroredReferrers;
import dev.fleetmirror.core.registry.stored.MirroredReferrers.Snapshot;
import dev.fleetmirror.node.api.Staleness;
import dev.fleetmirror.node.mode.WriteGate;
import dev.fleetmirror.node.upstream.Blocking;
import dev.fleetmirror.node.upstream.ReferrersListing;
import dev.fleetmirror.node.upstream.ReferrersTagIndex;
import dev.fleetmirror.node.upstream.Route;
import dev.fleetmirror.node.upstream.UpstreamException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Referrers of mirrored images (signatures, SBOMs, attestations) are the upstream's: its referrers
 * API, or where it has none (404, as Distribution 2.8) the referrers tag schema's {@code <alg>-<hex>}
 * index. The list is kept in storage ({@link MirroredReferrers}) and refreshed like a tag: at most
 * once per {@code tagttl} per cluster, by one member while the others wait. When the upstream is in
 * trouble the kept list, or failing that what this node stores, is served and marked stale.
 *
 * <p>The upstream is always asked for the whole list, never with the client's {@code artifactType}:
 * one kept answer then serves every filter, and the filter is applied here, so the answer may say
 * {@code OCI-Filters-Applied} whatever the upstream does. The referrers themselves are ordinary
 * manifests of the repository: a client fetches them by digest through {@link ProxyManifests}.
 */
final class ProxyReferrers implements Referrers {
    private static final Logger LOG = LoggerFactory.getLogger(ProxyReferrers.class);

    private final Referrers local;
    private final MirroredReferrers kept;
    private final UpstreamRoutes routes;
    private final TagFreshness freshness;
    private final Duration tagTtl;
    private final WriteGate writes;
    private final SingleFlight<String, Snapshot> resolving = new SingleFlight<>();

    ProxyReferrers(Referrers local, MirroredReferrers kept, UpstreamRoutes routes, TagFreshness freshness,
                   Duration tagTtl, WriteGate writes) {
        this.local = local;
        this.kept = kept;
        this.routes = routes;
        this.freshness = freshness;
        this.tagTtl = tagTtl;
        this.writes = writes;
    }

    @Override
    public List<Descriptor> list(RepositoryName repo, Digest subject, Optional<String> artifactType) {
        Optional<Route> route = routes.route(repo);
        if (route.isEmpty()) {
            return local.list(repo, subject, artifactType);
        }
        Snapshot snapshot = resolving.run(repo + "@" + subject, () -> resolve(route.get(), repo, subject));
        return snapshot.referrers().stream()
                .filter(d -> artifactType.isEmpty() || artifactType.get().equals(d.artifactType()))
                .toList();
    }

    /** One request per subject at a time on this node; the cluster's freshness decides whether it asks upstream. */
    private Snapshot resolve(Route route, RepositoryName repo, Digest subject) {
        Optional<Snapshot> cached = kept.read(repo, subject);
        TagCheck check = freshness.referrers(repo, subject);
        if (check instanceof TagCheck.Fresh fresh) {
            // The member that confirmed a new list wrote it first; this node may have read storage before that.
            Optional<Snapshot> stored = holds(cached, fresh.digest()) ? cached : kept.read(repo, subject);
            return holds(stored, fresh.digest()) ? stored.get() : refresh(route, repo, subject, stored, TagClaim.NONE);
        }
        if (check instanceof TagCheck.Pending) {
            return cached.isPresent() ? cached.get() : refresh(route, repo, subject, cached, TagClaim.NONE);
        }
        try (TagClaim claim = ((TagCheck.Due) check).claim()) {
            return refresh(route, repo, subject, cached, claim);
        }
    }

    private static boolean holds(Optional<Snapshot> snapshot, Digest digest) {
        return snapshot.isPresent() && snapshot.get().digest().equals(digest);
    }

    /** Asks upstream for the list and keeps it; {@code claim} hears the outcome. */
    private Snapshot refresh(Route route, RepositoryName repo, Digest subject, Optional<Snapshot> cached, TagClaim claim) {
        List<Descriptor> listed;
        try {
            listed = upstreamList(route, subject);
        } catch (UpstreamException e) {
            if (!e.isTrouble()) {
                throw e;
            }
            Snapshot stale = cached.orElseGet(() -> MirroredReferrers.snapshot(storedHere(repo, subject, e)));
            LOG.warn("referrers of {}@{}: {} ({}); serving the {} kept", repo, subject, e.staleReason(), e.getMessage(),
                    cached.isPresent() ? "list" : "referrers");
            Staleness.report(e.staleReason());
            route.upstream().traffic().stale(route.upstream().name());
            return stale;
        }
        Optional<WritePermit> permit = writes.tryAcquire();
        if (permit.isEmpty()) {
            LOG.info("referrers of {}@{}: served from upstream {} without keeping them: storage is read-only", repo,
                    subject, route.upstream().name());
            return MirroredReferrers.snapshot(listed);
        }
        Snapshot snapshot;
        try (WritePermit held = permit.get()) {
            snapshot = kept.write(repo, subject, listed);
        }
        claim.confirmed(snapshot.digest(), tagTtl);
        return snapshot;
    }

    /** The referrers API, else (404: the upstream has none) the referrers tag, else (404 again) none. */
    private static List<Descriptor> upstreamList(Route route, Digest subject) {
        try {
            return Blocking.await(route.upstream().call(new ReferrersListing(route.remoteName(), subject)));
        } catch (UpstreamException e) {
            if (!e.isNotFound()) {
                throw e;
            }
        }
        try {
            return Blocking.await(route.upstream().call(new ReferrersTagIndex(route.remoteName(), subject)));
        } catch (UpstreamException e) {
            if (e.isNotFound()) {
                return List.of();
            }
            throw e;
        }
    }

    /**
     * With no list kept and the upstream down, the referrers this node happens to store are better
     * than nothing; none at all is the upstream's error, as for a manifest without a cached copy.
     */
    private List<Descriptor> storedHere(RepositoryName repo, Digest subject, UpstreamException trouble) {
        List<Descriptor> stored;
        try {
            stored = local.list(repo, subject, Optional.empty());
        } catch (RegistryException unreadable) {
            throw trouble;
        }
        if (stored.isEmpty()) {
            throw trouble;
        }
        return stored;
    }
}
