package dev.fleetmirror.node.proxy;

import dev.fleetmirror.node.upstream.Route;
import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.name.Tag;
import dev.fleetmirror.core.registry.Page;
import dev.fleetmirror.core.error.RegistryException;
import dev.fleetmirror.core.registry.Tags;
import dev.fleetmirror.node.api.Staleness;
import dev.fleetmirror.node.upstream.Blocking;
import dev.fleetmirror.node.upstream.TagListing;
import dev.fleetmirror.node.upstream.UpstreamException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Tags of a mirrored repository are the upstream's; when it is in trouble, the cached ones, marked stale. */
final class ProxyTags implements Tags {
    private static final Logger LOG = LoggerFactory.getLogger(ProxyTags.class);

    private final Tags local;
    private final UpstreamRoutes routes;

    ProxyTags(Tags local, UpstreamRoutes routes) {
        this.local = local;
        this.routes = routes;
    }

    @Override
    public Page<Tag> list(RepositoryName repo, int limit, Optional<String> last) {
        Optional<Route> route = routes.route(repo);
        if (route.isEmpty()) {
            return local.list(repo, limit, last);
        }
        try {
            TagListing.Page page = Blocking.await(route.get().upstream().call(
                    new TagListing(route.get().remoteName(), limit, last)));
            // Distribution lists tags in storage order; the spec (and our hosted repositories) sort them.
            return new Page<>(page.tags().stream().sorted().toList(), page.more());
        } catch (UpstreamException e) {
            if (!e.isTrouble()) {
                throw e;
            }
            Page<Tag> cached;
            try {
                cached = local.list(repo, limit, last);
            } catch (RegistryException nothingCached) {
                throw e;
            }
            LOG.warn("tags of {}: {} ({}); answering with the cached tags", repo, e.staleReason(), e.getMessage());
            Staleness.report(e.staleReason());
            return cached;
        }
    }
}
