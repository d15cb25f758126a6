package dev.fleetmirror.node.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fleetmirror.coordination.token.SharedToken;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Docker registry tokens of one upstream, fetched from the realm its challenge names and cached
 * per scope until shortly before they expire. Concurrent requests for one scope share one fetch,
 * and before fetching, the cluster's shared tokens are asked: a token another member fetched with
 * the same credentials serves this one too. Used only on the upstream's event-loop context.
 */
final class BearerTokens {
    private static final Logger LOG = LoggerFactory.getLogger(BearerTokens.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The token spec's default lifetime when the token service names none. */
    private static final Duration DEFAULT_LIFETIME = Duration.ofSeconds(60);
    private static final Duration MARGIN = Duration.ofSeconds(10);

    private record Cached(Future<String> token, Instant expires) {
    }

    private final HttpClient http;
    private final String upstream;
    private final URI upstreamUrl;
    private final Optional<String> basicCredentials;
    private final SharedBearerTokens shared;
    private final Map<String, Cached> byScope = new HashMap<>();
    /** The last token the upstream refused per scope, so that the shared cache cannot hand it back. */
    private final Map<String, String> refused = new HashMap<>();
    private boolean warnedUntrustedRealm;

    BearerTokens(HttpClient http, String upstream, URI upstreamUrl, Optional<String> basicCredentials,
                 SharedBearerTokens shared) {
        this.http = http;
        this.upstream = upstream;
        this.upstreamUrl = upstreamUrl;
        this.basicCredentials = basicCredentials;
        this.shared = shared;
    }

    /** A token for {@code scope} under {@code challenge}, from the cache when still valid. */
    Future<String> token(AuthChallenge challenge, String scope) {
        Cached cached = byScope.get(scope);
        if (cached != null && (!cached.token().isComplete() || (cached.token().succeeded()
                && Instant.now().isBefore(cached.expires())))) {
            return cached.token();
        }
        Instant[] expires = {Instant.now()};
        Future<String> token = shared.find(scope).compose(found -> {
            Optional<SharedToken> usable = found.filter(t -> !t.token().equals(refused.get(scope)));
            if (usable.isPresent()) {
                expires[0] = usable.get().expires();
                return Future.succeededFuture(usable.get().token());
            }
            return fetch(challenge, scope, expires).onSuccess(fetched -> shared.offer(scope, fetched, expires[0]));
        });
        byScope.put(scope, new Cached(token, Instant.MAX));
        token.onComplete(done -> {
            if (done.succeeded()) {
                byScope.put(scope, new Cached(token, expires[0]));
            } else {
                byScope.remove(scope);
            }
        });
        return token;
    }

    /** Forgets the token of a scope the upstream just refused, here and in the cluster. */
    void invalidate(String scope) {
        Cached cached = byScope.get(scope);
        if (cached != null && cached.token().isComplete()) {
            byScope.remove(scope);
            if (cached.token().succeeded()) {
                refused.put(scope, cached.token().result());
                shared.refused(scope, cached.token().result());
            }
        }
    }

    private Future<String> fetch(AuthChallenge challenge, String scope, Instant[] expires) {
        String realm = challenge.parameter("realm").orElse("");
        URI realmUri;
        try {
            realmUri = URI.create(realm);
        } catch (IllegalArgumentException e) {
            return Future.failedFuture(UpstreamException.status(upstream, "a token (realm '" + realm + "' is not a URL)", 502,
                    Optional.empty()));
        }
        if (realmUri.getScheme() == null || realmUri.getHost() == null) {
            return Future.failedFuture(UpstreamException.status(upstream, "a token (realm '" + realm + "' is not a URL)", 502,
                    Optional.empty()));
        }
        StringBuilder url = new StringBuilder(realm).append(realm.contains("?") ? '&' : '?');
        challenge.parameter("service").ifPresent(s -> url.append("service=").append(encode(s)).append('&'));
        url.append("scope=").append(encode(scope));
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(url.toString())
                .setConnectTimeout(UpstreamCaller.CONNECT_TIMEOUT_MS).setIdleTimeout(UpstreamCaller.IDLE_TIMEOUT_MS);
        if (basicCredentials.isPresent()) {
            if (CredentialPolicy.mayReceiveCredentials(upstreamUrl, realmUri)) {
                options.putHeader("Authorization", "Basic " + basicCredentials.get());
            } else if (!warnedUntrustedRealm) {
                warnedUntrustedRealm = true;
                LOG.warn("upstream {} names token realm {}, which is outside its own domain: credentials are not sent"
                        + " there, tokens are requested anonymously", upstream, realmUri.getHost());
            }
        }
        Instant requested = Instant.now();
        return http.request(options)
                .compose(request -> request.send())
                .recover(failure -> Future.failedFuture(UpstreamException.unreachable(upstream + " token service", failure)))
                .compose(response -> response.body().compose(body -> {
                    if (response.statusCode() != 200) {
                        return Future.failedFuture(UpstreamException.status(upstream, "a token for " + scope,
                                response.statusCode() == 401 ? 401 : response.statusCode(),
                                Optional.ofNullable(response.getHeader("Retry-After"))));
                    }
                    try {
                        JsonNode json = JSON.readTree(body.getBytes());
                        String token = json.path("token").asText(json.path("access_token").asText(""));
                        if (token.isEmpty()) {
                            return Future.failedFuture(UpstreamException.status(upstream, "a token (empty answer)", 502,
                                    Optional.empty()));
                        }
                        long lifetime = json.path("expires_in").asLong(DEFAULT_LIFETIME.toSeconds());
                        expires[0] = requested.plusSeconds(Math.max(lifetime, DEFAULT_LIFETIME.toSeconds())).minus(MARGIN);
                        return Future.succeededFuture(token);
                    } catch (IOException e) {
                        return Future.failedFuture(UpstreamException.status(upstream, "a token (answer is not JSON)", 502,
                                Optional.empty()));
                    }
                }));
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
