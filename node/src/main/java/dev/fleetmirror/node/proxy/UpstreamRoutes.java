package dev.fleetmirror.node.proxy;

import dev.fleetmirror.node.upstream.Route;
import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.error.ErrorCode;
import dev.fleetmirror.core.error.RegistryException;
import dev.fleetmirror.node.api.NamespaceResolver;
import dev.fleetmirror.node.upstream.UpstreamCaller;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Which repositories are mirrored, from where. A repository whose name starts with an upstream's
 * prefix ({@code ghcr/foo/bar}) mirrors that upstream's {@code foo/bar} (the longest prefix wins);
 * otherwise the catch-all upstream, when there is one ({@code proxy.remoteurl}), mirrors it under
 * the same name; otherwise it is hosted. On Docker Hub a single-segment name is under
 * {@code library/}.
 *
 * <p>A {@code default: true} upstream also serves the bare names nothing else claims (dockerd's
 * {@code registry-mirrors} asks for {@code library/redis}): {@link #resolve} gives such a name the
 * default's prefix before anything else sees it, so access rules, the cache entry and the routing are
 * those of {@code docker.io/library/redis}. Names under a hosted namespace ({@code proxy.hosted}) stay
 * hosted and pushable.
 */
public final class UpstreamRoutes implements NamespaceResolver {
    private final List<UpstreamCaller> prefixed;
    private final Optional<UpstreamCaller> catchAll;
    private final Optional<UpstreamCaller> fallback;
    private final List<String> hosted;
    private final List<UpstreamCaller> all;

    public UpstreamRoutes(List<UpstreamCaller> upstreams) {
        this(upstreams, List.of());
    }

    /** @param hosted namespaces ({@code team/}) a default upstream leaves hosted */
    public UpstreamRoutes(List<UpstreamCaller> upstreams, List<String> hosted) {
        this.all = List.copyOf(upstreams);
        this.hosted = List.copyOf(hosted);
        this.fallback = upstreams.stream().filter(u -> u.config().isDefault()).findFirst();
        this.prefixed = upstreams.stream().filter(u -> !u.config().catchAll())
                .sorted(Comparator.comparingInt((UpstreamCaller u) -> u.config().prefix().length()).reversed())
                .toList();
        this.catchAll = upstreams.stream().filter(u -> u.config().catchAll()).findFirst();
    }

    public List<UpstreamCaller> upstreams() {
        return all;
    }

    /** The upstream a repository mirrors, or empty for a hosted one. */
    public Optional<Route> route(RepositoryName repo) {
        String name = repo.value();
        for (UpstreamCaller upstream : prefixed) {
            if (upstream.config().mirrors(name)) {
                String below = name.substring(upstream.config().prefix().length());
                return Optional.of(new Route(upstream, remoteName(upstream, below)));
            }
        }
        return catchAll.map(upstream -> new Route(upstream, remoteName(upstream, name)));
    }

    private static String remoteName(UpstreamCaller upstream, String name) {
        return upstream.config().isDockerHub() && name.indexOf('/') < 0 ? "library/" + name : name;
    }

    /** Refuses writes to a mirrored repository: they would be lost on the next re-check anyway. */
    public void requireHosted(RepositoryName repo, String operation) {
        route(repo).ifPresent(route -> {
            throw new RegistryException(ErrorCode.UNSUPPORTED, "repository " + repo + " mirrors " + route.remoteName()
                    + " of upstream " + route.upstream().name() + " (" + route.upstream().config().url() + "); "
                    + operation + " is not possible in a mirrored namespace. Push to a name outside the mirrored prefixes.");
        });
    }

    /**
     * containerd asks a mirror for {@code library/redis?ns=docker.io}: when an upstream is that
     * registry, the request is served under its prefix, exactly as {@code dockerhub/library/redis} would be.
     */
    @Override
    public RepositoryName resolve(RepositoryName requested, Optional<String> ns) {
        if (ns.isEmpty() || ns.get().isBlank()) {
            return unclaimed(requested) ? withPrefix(fallback.get(), requested) : requested;
        }
        String host = normalise(ns.get());
        for (UpstreamCaller upstream : all) {
            if (upstream.config().servesNamespace(host) || upstream.name().equalsIgnoreCase(ns.get().trim())) {
                String local = upstream.config().prefix() + requested.value();
                if (upstream.config().catchAll() || requested.value().startsWith(upstream.config().prefix())) {
                    return requested;
                }
                return RepositoryName.isValid(local) ? RepositoryName.of(local) : requested;
            }
        }
        return requested;
    }

    /** A bare name for the default upstream: no prefix and no hosted namespace claims it. */
    private boolean unclaimed(RepositoryName requested) {
        if (fallback.isEmpty()) {
            return false;
        }
        String name = requested.value();
        return prefixed.stream().noneMatch(u -> name.startsWith(u.config().prefix()))
                && hosted.stream().noneMatch(name::startsWith);
    }

    private static RepositoryName withPrefix(UpstreamCaller upstream, RepositoryName requested) {
        String local = upstream.config().prefix() + requested.value();
        return RepositoryName.isValid(local) ? RepositoryName.of(local) : requested;
    }

    private static String normalise(String ns) {
        String host = ns.trim().toLowerCase(Locale.ROOT);
        return switch (host) {
            case "registry-1.docker.io", "index.docker.io", "registry.hub.docker.com" -> "docker.io";
            default -> host;
        };
    }
}
