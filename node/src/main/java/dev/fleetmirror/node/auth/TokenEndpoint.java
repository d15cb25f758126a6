package dev.fleetmirror.node.auth;

import dev.fleetmirror.core.name.RepositoryName;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fleetmirror.core.error.ErrorCode;
import dev.fleetmirror.core.error.RegistryException;
import dev.fleetmirror.node.api.ApiHeaders;
import dev.fleetmirror.node.api.ErrorResponses;
import dev.fleetmirror.node.api.NamespaceResolver;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code GET /token?service=&scope=repository:<name>:<actions>&account=}: the built-in token
 * service of the Docker token spec. The caller authenticates with Basic against the htpasswd
 * users (no credentials: an anonymous token); each requested scope is granted the actions the
 * access rules allow this caller, which may be none. Wrong credentials get 401.
 *
 * <p>A scope is decided and granted on the repository its name resolves to, as the guard decides a
 * request: dockerd asks for {@code repository:library/redis:pull} and then requests
 * {@code /v2/library/redis/...}, which a {@code default: true} upstream serves as
 * {@code docker.io/library/redis}; a grant under the bare name would match no request, and one decided
 * on the bare name's rules would not be the rules of the repository it reads.
 */
public final class TokenEndpoint implements Handler<HttpServerRequest> {
    public static final String PATH = "/token";
    /** Clients ask for one to three (pull, push, a mount's source); many more is abuse. */
    static final int MAX_SCOPES = 16;
    private static final ObjectMapper JSON = new ObjectMapper();
    private final ClientAuth auth;
    private final AccessRules rules;
    private final TokenIssuer issuer;
    private final String service;
    private final Clock clock;
    private final AccessDecider extra;
    private final NamespaceResolver namespaces;

    public TokenEndpoint(ClientAuth auth, AccessRules rules, TokenIssuer issuer, String service, Clock clock) {
        this(auth, rules, issuer, service, clock, AccessDecider.ALLOW_ALL, NamespaceResolver.NONE);
    }

    /**
     * @param extra asked too before pull is granted (private upstream content: with pass-through
     *              authentication the upstream checks the credentials the caller gave here)
     * @param namespaces what a scope's repository name resolves to (the routes' {@code default: true} upstream)
     */
    public TokenEndpoint(ClientAuth auth, AccessRules rules, TokenIssuer issuer, String service, Clock clock,
                         AccessDecider extra, NamespaceResolver namespaces) {
        this.extra = extra;
        this.namespaces = namespaces;
        this.auth = auth;
        this.rules = rules;
        this.issuer = issuer;
        this.service = service;
        this.clock = clock;
    }

    @Override
    public void handle(HttpServerRequest request) {
        if (request.method() != HttpMethod.GET) {
            request.response().putHeader("Allow", "GET");
            ErrorResponses.send(request, new RegistryException(ErrorCode.UNSUPPORTED, "the token service answers GET"));
            return;
        }
        String requested = request.getParam("service");
        if (requested != null && !requested.equals(service)) {
            ErrorResponses.send(request, new RegistryException(ErrorCode.DENIED, "this token service issues tokens for '"
                    + service + "', not '" + requested + "'"));
            return;
        }
        if (request.getHeader("Authorization") != null && BasicCredentials.fromHeader(request.getHeader("Authorization")).isEmpty()) {
            request.response().putHeader("WWW-Authenticate", auth.challenge(request, null, null));
            ErrorResponses.send(request, new RegistryException(ErrorCode.UNAUTHORIZED, "the token service takes Basic credentials"));
            return;
        }
        auth.authenticate(request).compose(caller -> {
            java.util.Set<String> scopes = new java.util.LinkedHashSet<>();
            for (String value : request.params().getAll("scope")) {
                for (String scope : value.trim().split("\\s+")) {
                    if (!scope.isEmpty()) {
                        scopes.add(scope);
                    }
                }
            }
            if (scopes.size() > MAX_SCOPES) {
                // Each scope may cost an upstream check (pass-through authentication): a token request is bounded.
                return Future.failedFuture(new RegistryException(ErrorCode.DENIED, "a token request may name at most "
                        + MAX_SCOPES + " scopes; this one names " + scopes.size(), null, 400, null));
            }
            List<Future<Optional<TokenAccess.Grant>>> asked = new ArrayList<>();
            for (String scope : scopes) {
                asked.add(grant(caller, scope));
            }
            return Future.all(asked).map(all -> {
                List<TokenAccess.Grant> grants = new ArrayList<>();
                asked.forEach(grant -> grant.result().ifPresent(grants::add));
                return grants;
            }).compose(grants -> {
                Instant now = clock.instant();
                String token = issuer.issue(caller.user(), grants, now);
                ObjectNode body = JSON.createObjectNode()
                        .put("token", token)
                        .put("access_token", token)
                        .put("expires_in", issuer.expiration().toSeconds())
                        .put("issued_at", now.toString());
                byte[] bytes;
                try {
                    bytes = JSON.writeValueAsBytes(body);
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    return Future.failedFuture(e);
                }
                return request.response().setStatusCode(200)
                        .putHeader("Content-Type", ApiHeaders.JSON)
                        .putHeader("Cache-Control", "no-store")
                        .end(Buffer.buffer(bytes));
            });
        }).onFailure(failure -> ErrorResponses.send(request, failure));
    }

    /**
     * {@code repository:<name>:<actions>} narrowed to what the rules allow, and pull also to what the
     * extra check allows; other types get nothing.
     */
    private Future<Optional<TokenAccess.Grant>> grant(Caller caller, String scope) {
        int first = scope.indexOf(':');
        int last = scope.lastIndexOf(':');
        if (first < 0 || last <= first || !scope.substring(0, first).equals("repository")) {
            return Future.succeededFuture(Optional.empty());
        }
        String written = scope.substring(first + 1, last);
        String name = RepositoryName.isValid(written)
                ? namespaces.resolve(RepositoryName.of(written), Optional.empty()).value() : written;
        Set<Action> allowed = rules.allowed(caller, name);
        Set<Action> granted = EnumSet.noneOf(Action.class);
        for (String word : scope.substring(last + 1).split(",")) {
            if (word.equals("*")) {
                granted.addAll(allowed);
            }
            Action.parse(word).filter(allowed::contains).ifPresent(granted::add);
        }
        if (!granted.contains(Action.PULL) || !RepositoryName.isValid(name)) {
            return Future.succeededFuture(Optional.of(new TokenAccess.Grant("repository", name, granted)));
        }
        return extra.decide(caller, RepositoryName.of(name), Action.PULL).map(decision -> {
            if (!decision.allowed()) {
                granted.remove(Action.PULL);
            }
            return Optional.of(new TokenAccess.Grant("repository", name, granted));
        });
    }
}
