package dev.fleetmirror.node.auth;

import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.error.ErrorCode;
import dev.fleetmirror.core.error.RegistryException;
import dev.fleetmirror.node.config.AuthConfig;
import dev.fleetmirror.node.api.ApiPath;
import dev.fleetmirror.node.api.ErrorResponses;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * The guard of a node with an {@code auth:} section. A request's caller is established from its
 * {@code Authorization} header (Basic against the htpasswd users, Bearer against the token keys;
 * none: anonymous), then the token's scope (in token mode) and the access rules decide. Refusals
 * carry the challenge a client needs to try again: {@code Basic realm=...}, or
 * {@code Bearer realm=...,service=...,scope=...} in token mode. Verified tokens are remembered
 * until they expire, so hot pulls verify a signature once.
 */
public final class ClientAuth extends RequestGuard {
    private static final int MAX_REMEMBERED_TOKENS = 10_000;
    private static final long REMEMBER_TOKEN_MILLIS = 60_000;
    private final AuthConfig config;
    private final Optional<PasswordChecks> passwords;
    private final Optional<TokenVerifier> tokens;
    private final AccessRules rules;
    private final Map<String, RememberedToken> verified = new ConcurrentHashMap<>();

    private record RememberedToken(Caller caller, long untilMillis) {
    }

    public ClientAuth(AuthConfig config, Optional<PasswordChecks> passwords, Optional<TokenVerifier> tokens,
                      AccessRules rules, AccessDecider access) {
        super(access);
        this.config = config;
        this.passwords = passwords;
        this.tokens = tokens;
        this.rules = rules;
    }

    @Override
    public Future<Caller> admit(HttpServerRequest request, ApiPath path, RepositoryName repo) {
        return authenticate(request).compose(caller -> {
            if (path.resource() == ApiPath.Resource.BASE) {
                return caller.anonymous() && caller.token().isEmpty()
                        ? refuse(request, ErrorCode.UNAUTHORIZED, "authentication required", null, null)
                        : Future.succeededFuture(caller);
            }
            if (repo == null) {
                return Future.succeededFuture(caller);
            }
            Action action = Action.of(request.method());
            // Every decision is on the repository the request resolves to (containerd's ?ns= included): a
            // token granting the name as written does not reach another upstream's repository of that name.
            String scope = "repository:" + repo.value() + ":" + (action == Action.PUSH ? "pull,push" : action.word());
            if (caller.token().isPresent() && !caller.token().get().allows(repo.value(), action)) {
                return refuse(request, ErrorCode.UNAUTHORIZED, "the token does not grant " + action.word() + " on "
                        + repo.value(), scope, "insufficient_scope");
            }
            return access().decide(caller, repo, action).compose(decision -> {
                if (decision.allowed()) {
                    return Future.succeededFuture(caller);
                }
                if (caller.anonymous()) {
                    return refuse(request, ErrorCode.UNAUTHORIZED, "authentication required", scope, null);
                }
                return Future.failedFuture(new RegistryException(ErrorCode.DENIED, decision.reason()));
            });
        });
    }

    /** The caller of {@code request}; fails with 401 (and its challenge) for credentials that do not verify. */
    public Future<Caller> authenticate(HttpServerRequest request) {
        String header = request.getHeader("Authorization");
        if (header == null || header.isBlank()) {
            return Future.succeededFuture(Caller.ANONYMOUS);
        }
        Optional<BasicCredentials> basic = BasicCredentials.fromHeader(header);
        if (basic.isPresent() && passwords.isPresent()) {
            BasicCredentials credentials = basic.get();
            return passwords.get().check(credentials).compose(ok -> ok
                    ? Future.succeededFuture(Caller.authenticated(credentials, rules.groupsOf(credentials.user())))
                    : refuse(request, ErrorCode.UNAUTHORIZED, "invalid user name or password", null, "invalid_token"));
        }
        if (header.regionMatches(true, 0, "Bearer ", 0, 7) && tokens.isPresent()) {
            return bearer(request, header.substring(7).trim());
        }
        return refuse(request, ErrorCode.UNAUTHORIZED, "unsupported Authorization scheme", null, null);
    }

    private Future<Caller> bearer(HttpServerRequest request, String token) {
        String key = sha256(token);
        RememberedToken remembered = verified.get(key);
        long now = System.currentTimeMillis();
        if (remembered != null && remembered.untilMillis() > now) {
            return Future.succeededFuture(remembered.caller());
        }
        try {
            TokenVerifier.Verified valid = tokens.get().check(token);
            if (verified.size() >= MAX_REMEMBERED_TOKENS) {
                verified.clear();
            }
            // Until the token expires, and re-verified each minute regardless.
            verified.put(key, new RememberedToken(valid.caller(),
                    Math.min(now + REMEMBER_TOKEN_MILLIS, valid.expires().toEpochMilli())));
            return Future.succeededFuture(valid.caller());
        } catch (InvalidTokenException e) {
            return refuse(request, ErrorCode.UNAUTHORIZED, e.getMessage(), null, "invalid_token");
        }
    }

    /**
     * Wraps an admin endpoint: only callers named in {@code auth.admins} reach it (401 with the
     * challenge for anonymous ones, 403 DENIED for the others); {@code admitted} hears whom.
     */
    public Handler<HttpServerRequest> adminOnly(Handler<HttpServerRequest> endpoint,
                                                BiConsumer<HttpServerResponse, String> admitted) {
        return request -> {
            request.pause();
            authenticate(request).compose(caller -> {
                if (caller.anonymous()) {
                    // Basic where users have passwords here, so a browser can log in to the status page.
                    request.response().putHeader("WWW-Authenticate", passwords.isPresent()
                            ? "Basic realm=\"" + config.htpasswd().get().realm() + "\"" : challenge(request, null, null));
                    return Future.failedFuture(new RegistryException(ErrorCode.UNAUTHORIZED,
                            "admin endpoints need an admin's credentials"));
                }
                if (!rules.isAdmin(caller)) {
                    return Future.failedFuture(new RegistryException(ErrorCode.DENIED,
                            "user " + caller + " is not an admin (auth.admins)"));
                }
                return Future.succeededFuture(caller);
            }).onComplete(admission -> {
                if (admission.failed()) {
                    ErrorResponses.send(request, admission.cause());
                    return;
                }
                admission.result().user().ifPresent(user -> admitted.accept(request.response(), user));
                try {
                    endpoint.handle(request);
                } catch (RuntimeException e) {
                    ErrorResponses.send(request, e);
                }
                request.resume();
            });
        };
    }

    private <T> Future<T> refuse(HttpServerRequest request, ErrorCode code, String message, String scope, String error) {
        request.response().putHeader("WWW-Authenticate", challenge(request, scope, error));
        return Future.failedFuture(new RegistryException(code, message));
    }

    /** What a client is told to authenticate with. */
    String challenge(HttpServerRequest request, String scope, String error) {
        if (config.token().isEmpty()) {
            return "Basic realm=\"" + config.htpasswd().map(AuthConfig.Htpasswd::realm).orElse("fleet-mirror") + "\"";
        }
        AuthConfig.Token token = config.token().get();
        String realm = token.realm().orElseGet(() -> (request.isSSL() ? "https" : "http") + "://"
                + Optional.ofNullable(request.getHeader("Host")).orElse("localhost") + TokenEndpoint.PATH);
        StringBuilder challenge = new StringBuilder("Bearer realm=\"").append(realm)
                .append("\",service=\"").append(token.service()).append('"');
        if (scope != null) {
            challenge.append(",scope=\"").append(scope).append('"');
        }
        if (error != null) {
            challenge.append(",error=\"").append(error).append('"');
        }
        return challenge.toString();
    }

    private static String sha256(String value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
