package dev.fleetmirror.node.privacy;

import dev.fleetmirror.node.auth.BasicCredentials;
import dev.fleetmirror.node.config.UpstreamConfig;
import dev.fleetmirror.node.upstream.AuthChallenge;
import dev.fleetmirror.node.upstream.CredentialPolicy;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Asks an upstream whether a caller's own credentials may read a repository there: a GET of the
 * repository's tag list (one entry) with those credentials, following the upstream's Bearer
 * challenge with them (the token service only when it may receive credentials: the same site as
 * the upstream). 2xx means yes; 401, 403 and 404 mean no; anything else (unreachable, 5xx) is an
 * error, so the request is refused for now rather than served on a guess. Answers are remembered
 * per upstream, user, password and repository for {@code ttl}, so one caller's answer never stands
 * for another's, and a changed password asks again.
 */
public final class UpstreamCredentialCheck implements AutoCloseable {
    private static final int MAX_REMEMBERED = 10_000;
    private static final long TIMEOUT_MS = 10_000;

    private record Remembered(boolean allowed, long untilMillis) {
    }

    private final HttpClientAgent http;
    private final Duration ttl;
    private final Clock clock;
    private final Map<String, Remembered> answers = new ConcurrentHashMap<>();

    public UpstreamCredentialCheck(Vertx vertx, Duration ttl, Clock clock) {
        this.http = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout((int) TIMEOUT_MS).setKeepAlive(true));
        this.ttl = ttl;
        this.clock = clock;
    }

    /** Whether {@code upstream} lets {@code credentials} read {@code remoteName}; remembered for the TTL. */
    public Future<Boolean> allowed(UpstreamConfig upstream, String remoteName, BasicCredentials credentials) {
        String key = upstream.name() + "\n" + remoteName + "\n" + credentials.user() + "\n" + sha256(credentials.password());
        long now = clock.millis();
        Remembered remembered = answers.get(key);
        if (remembered != null && remembered.untilMillis() > now) {
            return Future.succeededFuture(remembered.allowed());
        }
        return ask(upstream, remoteName, credentials).onSuccess(allowed -> {
            if (answers.size() >= MAX_REMEMBERED) {
                answers.clear();
            }
            answers.put(key, new Remembered(allowed, now + ttl.toMillis()));
        });
    }

    private Future<Boolean> ask(UpstreamConfig upstream, String remoteName, BasicCredentials credentials) {
        String url = upstream.url() + "/v2/" + remoteName + "/tags/list?n=1";
        String basic = "Basic " + java.util.Base64.getEncoder().encodeToString(
                (credentials.user() + ":" + credentials.password()).getBytes(StandardCharsets.UTF_8));
        return get(url, basic).compose(first -> {
            if (first.status() != 401) {
                return Future.succeededFuture(verdict(upstream, first.status()));
            }
            Optional<AuthChallenge> challenge = AuthChallenge.parse(first.challenge());
            if (challenge.isEmpty() || !challenge.get().isBearer()) {
                return Future.succeededFuture(false);
            }
            return token(upstream, challenge.get(), remoteName, basic).compose(token -> token.isEmpty()
                    ? Future.succeededFuture(false)
                    : get(url, "Bearer " + token.get()).map(second -> verdict(upstream, second.status())));
        });
    }

    private static boolean verdict(UpstreamConfig upstream, int status) {
        if (status >= 200 && status < 300) {
            return true;
        }
        if (status == 401 || status == 403 || status == 404) {
            return false;
        }
        throw new IllegalStateException("upstream " + upstream.name() + " answered " + status
                + " when asked whether the caller may read it; try again later");
    }

    /** A token for the caller from the upstream's token service; empty when it refuses the credentials. */
    private Future<Optional<String>> token(UpstreamConfig upstream, AuthChallenge challenge, String remoteName,
                                           String basic) {
        Optional<String> realm = challenge.parameter("realm");
        if (realm.isEmpty()) {
            return Future.succeededFuture(Optional.empty());
        }
        URI realmUri = URI.create(realm.get());
        if (!CredentialPolicy.mayReceiveCredentials(upstream.url(), realmUri)) {
            // The caller's password is not sent to a token service on another site.
            return Future.succeededFuture(Optional.empty());
        }
        StringBuilder url = new StringBuilder(realm.get()).append(realm.get().contains("?") ? '&' : '?')
                .append("scope=").append(encode("repository:" + remoteName + ":pull"));
        challenge.parameter("service").ifPresent(service -> url.append("&service=").append(encode(service)));
        return get(url.toString(), basic).map(answer -> {
            if (answer.status() != 200) {
                return Optional.<String>empty();
            }
            JsonObject json = new JsonObject(answer.body());
            return Optional.ofNullable(json.getString("token", json.getString("access_token")));
        });
    }

    /** An answer, read whole (tag lists of one entry, tokens and errors are small). */
    private record Answer(int status, String challenge, Buffer body) {
    }

    private Future<Answer> get(String url, String authorization) {
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(url)
                .setTimeout(TIMEOUT_MS).putHeader("Authorization", authorization);
        return http.request(options).compose(request -> request.send())
                .compose(response -> response.body().map(body -> new Answer(response.statusCode(),
                        response.getHeader("WWW-Authenticate"), body)));
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static String sha256(String value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        http.close();
    }

}
