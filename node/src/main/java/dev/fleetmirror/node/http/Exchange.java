package dev.fleetmirror.node.http;

import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.node.auth.AccessDecider;
import dev.fleetmirror.node.auth.Action;
import dev.fleetmirror.node.auth.Caller;
import dev.fleetmirror.node.auth.Decision;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.Optional;

/**
 * One request routed to an endpoint: the request, the repository named in its path (validated),
 * the path's last parameter (reference, digest or upload id, still raw text), the services, and
 * who sent it (the dispatcher's {@link dev.fleetmirror.node.auth.RequestGuard} admitted it).
 */
public record Exchange(HttpServerRequest request, RepositoryName repo, String tail, NodeServices services,
                       Caller caller, AccessDecider access) {

    /** An exchange of an anonymous caller (a node without client authentication). */
    public Exchange(HttpServerRequest request, RepositoryName repo, String tail, NodeServices services) {
        this(request, repo, tail, services, Caller.ANONYMOUS);
    }

    /** An exchange whose caller may do everything the guard admitted it for. */
    public Exchange(HttpServerRequest request, RepositoryName repo, String tail, NodeServices services, Caller caller) {
        this(request, repo, tail, services, caller, AccessDecider.ALLOW_ALL);
    }

    /**
     * Whether the caller may pull {@code other} as well (the source of a mount): its token must grant
     * that, and the access rules (private upstream content included) must allow it.
     */
    public Future<Boolean> mayPull(RepositoryName other) {
        if (caller.token().isPresent() && !caller.token().get().allows(other.value(), Action.PULL)) {
            return Future.succeededFuture(false);
        }
        return access.decide(caller, other, Action.PULL).map(Decision::allowed);
    }

    public HttpServerResponse response() {
        return request.response();
    }

    public boolean isHead() {
        return request.method() == HttpMethod.HEAD;
    }

    public Optional<String> header(String name) {
        return Optional.ofNullable(request.getHeader(name));
    }

    public Optional<String> query(String name) {
        return Optional.ofNullable(request.getParam(name));
    }

    /** Ends the response with no body. */
    public Future<Void> endEmpty(int status) {
        return response().setStatusCode(status).putHeader("Content-Length", "0").end();
    }
}
