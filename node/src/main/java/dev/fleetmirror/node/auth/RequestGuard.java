package dev.fleetmirror.node.auth;

import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.node.api.ApiPath;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;

/**
 * Admits a request of the distribution API before its endpoint runs: establishes the
 * {@link Caller} and asks the {@link AccessDecider} about the repository and action. A refusal
 * fails the future with the error to send (401 with a {@code WWW-Authenticate} challenge for a
 * caller who must authenticate, 403 DENIED for one who may not); the guard sets the challenge
 * header on the response itself. Both guards (open, and {@link ClientAuth}) decide per repository
 * with an {@link AccessDecider}, which they hand out as they got it.
 */
public abstract class RequestGuard {

    /** Everything open: no {@code auth:} section and no other check. */
    public static final RequestGuard OPEN = open(AccessDecider.ALLOW_ALL);

    private final AccessDecider access;

    RequestGuard(AccessDecider access) {
        this.access = access;
    }

    /**
     * @param path the parsed path (its {@link ApiPath#name()} as the client wrote it)
     * @param repo the repository it addresses, after namespace resolution; null for {@code /v2/} and the catalog
     */
    public abstract Future<Caller> admit(HttpServerRequest request, ApiPath path, RepositoryName repo);

    /** What decides per repository, for endpoints that filter (the catalog lists what a caller may pull). */
    public final AccessDecider access() {
        return access;
    }

    /**
     * No client authentication, but {@code access} still decides: every caller is anonymous, with
     * the Basic credentials it sent (unverified here) for checks that pass them on.
     */
    public static RequestGuard open(AccessDecider access) {
        return new OpenGuard(access);
    }
}
