package dev.fleetmirror.node.gc;

import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.node.config.ProxyConfig;
import java.util.function.Predicate;

/**
 * Which repositories the config's upstreams mirror, for the offline {@code fleetmirror gc}, which
 * starts no upstream clients: a name longer than an upstream's prefix and starting with it, or any
 * name when there is a catch-all upstream ({@code proxy.remoteurl}). The rule is
 * {@link dev.fleetmirror.node.config.UpstreamConfig#mirrors}, as for the running cache's routes
 * ({@code node.proxy.UpstreamRoutes}), which the live node's expiry asks instead.
 */
public final class ConfiguredMirrors {
    private ConfiguredMirrors() {
    }

    public static Predicate<RepositoryName> of(ProxyConfig proxy) {
        return repo -> proxy.upstreams().stream().anyMatch(upstream -> upstream.mirrors(repo.value()));
    }
}
