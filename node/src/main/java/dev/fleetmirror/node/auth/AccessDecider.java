package dev.fleetmirror.node.auth;

import dev.fleetmirror.core.name.RepositoryName;
import io.vertx.core.Future;

/**
 * Decides whether a caller may do an action on a repository. The dispatcher asks it once per
 * request of the distribution API, on the event loop, before the endpoint runs: an implementation
 * must answer quickly (a completed future) for repeated requests and do anything slow elsewhere.
 * Deciders compose with {@link #and}: the first refusal wins.
 */
@FunctionalInterface
public interface AccessDecider {

    /** Everything open: a node without an {@code auth:} section. */
    AccessDecider ALLOW_ALL = (caller, repository, action) -> Future.succeededFuture(Decision.ALLOW);

    Future<Decision> decide(Caller caller, RepositoryName repository, Action action);

    /** This decider, then {@code next} when this one allows. */
    default AccessDecider and(AccessDecider next) {
        return (caller, repository, action) -> decide(caller, repository, action)
                .compose(first -> first.allowed() ? next.decide(caller, repository, action) : Future.succeededFuture(first));
    }
}
