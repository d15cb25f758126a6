package dev.fleetmirror.node.auth;

import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.error.ErrorCode;
import dev.fleetmirror.core.error.RegistryException;
import dev.fleetmirror.node.api.ApiPath;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import java.util.Optional;
import java.util.Set;

/**
 * The guard of a node without {@code auth:}: nobody is authenticated here, but a caller keeps the
 * Basic credentials it sent, so a decider may pass them on (to an upstream that knows the user).
 * A refusal of a caller who sent none is a 401 with a Basic challenge, which makes clients retry
 * with their credentials; of one who did, 403 DENIED.
 */
final class OpenGuard extends RequestGuard {
    static final String REALM = "fleet-mirror";

    OpenGuard(AccessDecider access) {
        super(access);
    }

    @Override
    public Future<Caller> admit(HttpServerRequest request, ApiPath path, RepositoryName repo) {
        String header = request.getHeader("Authorization");
        Caller caller = header == null ? Caller.ANONYMOUS
                : new Caller(Optional.empty(), Set.of(), BasicCredentials.fromHeader(header), Optional.empty());
        if (repo == null || access() == AccessDecider.ALLOW_ALL) {
            return Future.succeededFuture(caller);
        }
        return access().decide(caller, repo, Action.of(request.method())).compose(decision -> {
            if (decision.allowed()) {
                return Future.succeededFuture(caller);
            }
            if (caller.basic().isEmpty()) {
                request.response().putHeader("WWW-Authenticate", "Basic realm=\"" + REALM + "\"");
                return Future.failedFuture(new RegistryException(ErrorCode.UNAUTHORIZED, decision.reason()));
            }
            return Future.failedFuture(new RegistryException(ErrorCode.DENIED, decision.reason()));
        });
    }
}
