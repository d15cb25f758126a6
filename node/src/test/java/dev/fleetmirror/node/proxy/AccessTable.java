package dev.fleetmirror.node.proxy;

import dev.fleetmirror.coordination.StandaloneCoordination;
import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.node.auth.AccessRules;
import dev.fleetmirror.node.auth.Action;
import dev.fleetmirror.node.auth.BasicCredentials;
import dev.fleetmirror.node.auth.Caller;
import dev.fleetmirror.node.config.NodeConfig;
import dev.fleetmirror.node.config.UpstreamConfig;
import dev.fleetmirror.node.upstream.Route;
import dev.fleetmirror.node.upstream.UpstreamCaller;
import io.vertx.core.Vertx;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * What {@link AuthorizationMatrixTest} expects of a cell, read from the code's own tables for the
 * configuration the nodes run: the routing ({@link UpstreamRoutes}, built from the same upstreams and
 * {@code proxy.hosted}, so a bare name resolves as the node resolves it, {@code default: true} and
 * {@code ?ns=} included), the {@code access:} rules ({@link AccessRules}) and each upstream's privacy.
 * Only what no table of ours holds is given from outside: whom a pass-through upstream admits.
 * Nothing here is contacted: the upstream callers are built and never asked.
 */
final class AccessTable implements AutoCloseable {
    /** What a repository is, by the routing table. */
    enum Kind { HOSTED, OPEN_MIRROR, PRIVATE_MIRROR, PASS_THROUGH }

    private final StandaloneCoordination coordination = new StandaloneCoordination();
    private final UpstreamRoutes routes;
    private final AccessRules rules;
    private final Predicate<String> passThroughAdmits;

    /** @param passThroughAdmits the users whose own credentials a pass-through upstream accepts */
    AccessTable(Vertx vertx, NodeConfig config, Predicate<String> passThroughAdmits) {
        this.routes = new UpstreamRoutes(config.proxy().upstreams().stream()
                .map(u -> new UpstreamCaller(vertx, vertx.getOrCreateContext(), u, coordination.upstreamTokens(),
                        coordination.limits()))
                .toList(), config.proxy().hosted());
        this.rules = AccessRules.of(config.auth());
        this.passThroughAdmits = passThroughAdmits;
    }

    /** The repository a request for {@code written} (with {@code ?ns=}, if any) is decided and served on. */
    String resolve(String written, Optional<String> ns) {
        return routes.resolve(RepositoryName.of(written), ns).value();
    }

    String resolve(String written) {
        return resolve(written, Optional.empty());
    }

    Kind kind(String resolved) {
        Optional<Route> route = routes.route(RepositoryName.of(resolved));
        if (route.isEmpty()) {
            return Kind.HOSTED;
        }
        UpstreamConfig.Privacy privacy = route.get().upstream().config().privacy();
        return !privacy.isPrivate() ? Kind.OPEN_MIRROR : privacy.passThroughAuth() ? Kind.PASS_THROUGH : Kind.PRIVATE_MIRROR;
    }

    /**
     * Whether {@code user} (null: anonymous) may pull the resolved repository: the rules allow it and,
     * for a private upstream, the caller is not anonymous and, with pass-through, the upstream admits it.
     */
    boolean mayPull(String user, String resolved) {
        if (!allowed(user, resolved, Action.PULL)) {
            return false;
        }
        return switch (kind(resolved)) {
            case HOSTED, OPEN_MIRROR -> true;
            case PRIVATE_MIRROR -> user != null;
            case PASS_THROUGH -> user != null && passThroughAdmits.test(user);
        };
    }

    /** Whether the rules let {@code user} (null: anonymous) push into the resolved repository, and it is hosted. */
    boolean mayPush(String user, String resolved) {
        return kind(resolved) == Kind.HOSTED && allowed(user, resolved, Action.PUSH);
    }

    private boolean allowed(String user, String resolved, Action action) {
        Caller caller = user == null ? Caller.ANONYMOUS
                : Caller.authenticated(new BasicCredentials(user, "unused"), rules.groupsOf(user));
        return rules.allowed(caller, resolved).contains(action);
    }

    @Override
    public void close() {
        coordination.close();
    }

    static Set<Kind> holdingPrivateContent() {
        return Set.of(Kind.PRIVATE_MIRROR, Kind.PASS_THROUGH);
    }
}
