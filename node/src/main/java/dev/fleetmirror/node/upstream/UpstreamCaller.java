package dev.fleetmirror.node.upstream;

import dev.fleetmirror.coordination.token.UpstreamTokens;
import dev.fleetmirror.coordination.limit.RateLimiter;
import dev.fleetmirror.coordination.limit.RateLimits;
import dev.fleetmirror.node.config.UpstreamConfig;
import dev.fleetmirror.node.http.RequestId;
import dev.fleetmirror.node.metrics.Traffic;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * The HTTP plumbing every {@link UpstreamOperation} shares, for one upstream: a pooled Vert.x
 * client, authentication (Docker token or Basic, learnt from the first 401 and then sent up
 * front), redirects (followed by hand so that credentials never go to another host, such as a
 * CDN), the upstream's cluster-wide rate limit ({@link CallerRateLimit}: one request permit per
 * call, which covers its 401 retry, its redirects and its fallback URLs), and the translation of
 * failures into {@link UpstreamException}s.
 *
 * <p>An upstream may have several URLs ({@code urls: [accelerator, origin]}): each call tries them in
 * order, skipping those that failed lately ({@link UpstreamUrl}). A URL that cannot be reached, answers
 * 5xx or 429, or sends content that does not match its digest is skipped for a back-off period and
 * the next one is asked at once; a 401, 403 or 404 passes the call on to the next URL without
 * counting against the first (a stale accelerator may lack what the origin has). Digests are checked
 * whichever URL answered, so a tag resolved on one URL and blobs fetched from another must still match.
 *
 * <p>All work runs on one event-loop context, whatever thread calls {@link #call}; a caller on
 * another event loop hears the answer on its own.
 */
public final class UpstreamCaller implements AutoCloseable {
    static final long CONNECT_TIMEOUT_MS = 5_000;
    /** A stalled upstream fails the request (and the fill reading it) after this much silence. */
    static final long IDLE_TIMEOUT_MS = 30_000;
    private static final int MAX_REDIRECTS = 5;

    private final UpstreamConfig config;
    private final Context context;
    private final HttpClientAgent http;
    private final Optional<String> basicCredentials;
    private final UrlFallback urls;
    private final CallerRateLimit throttle;
    private final Traffic traffic;

    /**
     * @param context an event-loop context the calls and their callbacks run on
     * @param tokens  bearer tokens shared with the other members (and callers) of the cluster
     * @param limits  where the cluster keeps upstream limits; used when {@code config} has one
     */
    public UpstreamCaller(Vertx vertx, Context context, UpstreamConfig config, UpstreamTokens tokens,
                          RateLimits limits) {
        this(vertx, context, config, tokens, limits, Traffic.unobserved());
    }

    /** @param traffic counts this upstream's requests and the bytes mirrored from it */
    public UpstreamCaller(Vertx vertx, Context context, UpstreamConfig config, UpstreamTokens tokens,
                          RateLimits limits, Traffic traffic) {
        this.traffic = traffic;
        Optional<RateLimiter> limiter = config.limit().map(limit -> limits.limiter(config.name(), limit));
        if (!context.isEventLoopContext()) {
            throw new IllegalArgumentException("upstream calls need an event-loop context");
        }
        this.config = config;
        this.context = context;
        HttpClientOptions options = new HttpClientOptions()
                .setConnectTimeout((int) CONNECT_TIMEOUT_MS)
                .setKeepAlive(true)
                .setTrustAll(!config.tlsVerify())
                .setVerifyHost(config.tlsVerify());
        this.http = vertx.createHttpClient(options, new PoolOptions().setHttp1MaxSize(16));
        this.basicCredentials = config.username().map(user -> Base64.getEncoder().encodeToString(
                (user + ":" + config.password().orElse("")).getBytes(StandardCharsets.UTF_8)));
        List<UpstreamUrl> bases = new ArrayList<>();
        for (URI base : config.urls()) {
            bases.add(new UpstreamUrl(config.name(), base, config.backoff(), new BearerTokens(http, config.name(), base,
                    basicCredentials, new SharedBearerTokens(context, tokens, base, config.username(), config.password())),
                    traffic, config.urls().size() == 1));
        }
        this.urls = new UrlFallback(config.name(), bases);
        this.throttle = new CallerRateLimit(context, config.name(), limiter);
    }

    public UpstreamConfig config() {
        return config;
    }

    public String name() {
        return config.name();
    }

    public Traffic traffic() {
        return traffic;
    }

    /**
     * Runs {@code operation} on the upstream's context once the upstream's rate limit lets it go;
     * the future completes there too.
     */
    public <T> Future<T> call(UpstreamOperation<T> operation) {
        Promise<T> result = Promise.promise();
        Optional<String> requestId = RequestId.current();
        context.runOnContext(v -> throttle.request(operation.description(), throttle.deadline())
                .compose(permitted -> urls.send(url -> attempt(url, operation, requestId, false)))
                .map(UrlFallback.Answered::value)
                .onComplete(result));
        return onCallersLoop(result.future());
    }

    /**
     * Runs the upstream request of a blob fill: it takes one of the upstream's concurrent-fill slots
     * first, then its request permit, both within one {@code maxwait}. The answer comes with the slot,
     * which the fill releases when it is over; when the request fails, the slot is released here.
     */
    public <T> Future<UpstreamFill<T>> fill(UpstreamOperation<T> operation) {
        Promise<UpstreamFill<T>> result = Promise.promise();
        Optional<String> requestId = RequestId.current();
        context.runOnContext(v -> {
            long deadline = throttle.deadline();
            throttle.fillSlot(operation.description(), deadline)
                    .compose(slot -> throttle.request(operation.description(), deadline)
                            .compose(permitted -> urls.send(url -> attempt(url, operation, requestId, false)))
                            .map(answer -> new UpstreamFill<>(answer.value(), slot, what -> context.runOnContext(
                                    v2 -> answer.url().failed(200, "corrupt: " + what))))
                            .onFailure(failure -> slot.release()))
                    .onComplete(result);
        });
        return onCallersLoop(result.future());
    }

    /**
     * Asks {@code operation} with someone else's Basic credentials (a caller's, when a private
     * upstream checks each caller itself) and answers the final status; the body is discarded. It
     * goes under the same rate limit, metrics and request id as every call. A Bearer challenge is
     * answered with a token fetched with those credentials, and only from a token service on the
     * upstream's own site ({@link CredentialPolicy}); such a token is used once, never cached or shared.
     */
    public Future<Integer> statusAs(UpstreamOperation<?> operation, String basicAuthorization) {
        Promise<Integer> result = Promise.promise();
        Optional<String> requestId = RequestId.current();
        context.runOnContext(v -> throttle.request(operation.description(), throttle.deadline())
                .compose(permitted -> urls.send(url -> statusVia(url, operation, requestId, basicAuthorization)))
                .map(UrlFallback.Answered::value)
                // Every URL failed: the caller hears the last one's status, as from an upstream with one URL.
                .recover(failure -> failure instanceof UpstreamException e && e.upstreamStatus() > 0 && !e.isCorrupt()
                        ? Future.succeededFuture(e.upstreamStatus()) : Future.failedFuture(failure))
                .onComplete(result));
        return onCallersLoop(result.future());
    }

    /**
     * The answer, heard on the caller's event loop when the caller is on one: the request it serves
     * lives on that loop, which need not be the upstream's ({@code http.eventloops}). Callers on
     * worker threads, which wait for the answer, hear it at once on the upstream's.
     */
    private static <T> Future<T> onCallersLoop(Future<T> answer) {
        Context caller = Context.isOnEventLoopThread() ? Vertx.currentContext() : null;
        if (caller == null) {
            return answer;
        }
        Promise<T> there = Promise.promise();
        answer.onComplete(done -> {
            if (Vertx.currentContext() == caller) {
                there.handle(done);
            } else {
                caller.runOnContext(v -> there.handle(done));
            }
        });
        return there.future();
    }

    /** The caller's status at one URL; trouble fails, so that the next URL is asked. */
    private Future<Integer> statusVia(UpstreamUrl url, UpstreamOperation<?> operation, Optional<String> requestId,
                                      String basicAuthorization) {
        return answerAs(url, operation, requestId, basicAuthorization)
                .compose(first -> {
                    if (first.statusCode() != 401) {
                        return Future.succeededFuture(first.statusCode());
                    }
                    Optional<AuthChallenge> challenge = AuthChallenge.parse(first.getHeader("WWW-Authenticate"));
                    Optional<String> realm = challenge.filter(AuthChallenge::isBearer).flatMap(c -> c.parameter("realm"));
                    if (realm.isEmpty() || !CredentialPolicy.mayReceiveCredentials(url.base(), URI.create(realm.get()))) {
                        // The caller's password is not sent to a token service on another site.
                        return Future.succeededFuture(401);
                    }
                    return tokenAs(url, challenge.get(), realm.get(), operation.scope(), requestId, basicAuthorization)
                            .compose(token -> token.isEmpty() ? Future.succeededFuture(401)
                                    : answerAs(url, operation, requestId, "Bearer " + token.get())
                                            .map(HttpClientResponse::statusCode));
                })
                .compose(status -> status >= 500 || status == 429
                        ? Future.failedFuture(UpstreamException.status(config.name(), operation.description(), status,
                                Optional.empty()))
                        : Future.succeededFuture(status));
    }

    /** Sends with {@code authorization}; the answer's body is discarded. */
    private Future<HttpClientResponse> answerAs(UpstreamUrl url, UpstreamOperation<?> operation, Optional<String> requestId,
                                                String authorization) {
        RequestOptions options = options(operation.method(), url.base() + operation.path());
        operation.headers().forEach(options::putHeader);
        requestId.ifPresent(id -> options.putHeader(RequestId.HEADER, id));
        options.putHeader("Authorization", authorization);
        return send(url, options, operation, 0).compose(response -> response.end().map(response));
    }

    /** A token for {@code basicAuthorization}'s owner from the upstream's token service; empty when refused. */
    private Future<Optional<String>> tokenAs(UpstreamUrl base, AuthChallenge challenge, String realm, String scope,
                                             Optional<String> requestId, String basicAuthorization) {
        StringBuilder url = new StringBuilder(realm).append(realm.contains("?") ? '&' : '?')
                .append("scope=").append(java.net.URLEncoder.encode(scope, StandardCharsets.UTF_8));
        challenge.parameter("service").ifPresent(service ->
                url.append("&service=").append(java.net.URLEncoder.encode(service, StandardCharsets.UTF_8)));
        RequestOptions options = options(HttpMethod.GET, url.toString()).putHeader("Authorization", basicAuthorization);
        requestId.ifPresent(id -> options.putHeader(RequestId.HEADER, id));
        return http.request(options).compose(request -> request.send())
                .recover(failure -> {
                    counted(base, 0);
                    return Future.failedFuture(UpstreamException.unreachable(config.name(), failure));
                })
                .compose(response -> {
                    counted(base, response.statusCode());
                    return response.body().map(body -> {
                        if (response.statusCode() != 200) {
                            return Optional.<String>empty();
                        }
                        try {
                            io.vertx.core.json.JsonObject json = new io.vertx.core.json.JsonObject(body);
                            return Optional.ofNullable(json.getString("token", json.getString("access_token")));
                        } catch (RuntimeException notJson) {
                            return Optional.<String>empty();
                        }
                    });
                });
    }

    private <T> Future<T> attempt(UpstreamUrl url, UpstreamOperation<T> operation, Optional<String> requestId,
                                  boolean afterChallenge) {
        return authorization(url, operation.scope()).compose(auth -> {
            RequestOptions options = options(operation.method(), url.base() + operation.path());
            operation.headers().forEach(options::putHeader);
            requestId.ifPresent(id -> options.putHeader(RequestId.HEADER, id));
            auth.ifPresent(value -> options.putHeader("Authorization", value));
            return send(url, options, operation, 0).compose(response -> {
                int status = response.statusCode();
                if (status == 401 && !afterChallenge) {
                    Optional<AuthChallenge> challenge = AuthChallenge.parse(response.getHeader("WWW-Authenticate"));
                    response.end();
                    if (challenge.isPresent() && learn(url, challenge.get(), operation.scope())) {
                        return attempt(url, operation, requestId, true);
                    }
                }
                if (status >= 200 && status < 300) {
                    return operation.read(response).recover(failure -> Future.failedFuture(
                            failure instanceof CorruptAnswer corrupt
                                    ? UpstreamException.corrupt(config.name(), corrupt.getMessage() + " (from " + url.base() + ")")
                                    : failure instanceof MalformedAnswer malformed
                                    ? UpstreamException.status(config.name(), malformed.getMessage(), 502, Optional.empty())
                                    : failure));
                }
                return fail(response, operation);
            });
        });
    }

    /** Adopts the scheme a 401 of {@code url} asked for; false when retrying cannot help. */
    private boolean learn(UpstreamUrl url, AuthChallenge challenge, String scope) {
        if (challenge.isBearer()) {
            url.useBearer(challenge);
            url.tokens().invalidate(scope);
            return true;
        }
        if (challenge.isBasic() && basicCredentials.isPresent() && url.scheme() != UpstreamUrl.Scheme.BASIC) {
            url.useBasic();
            return true;
        }
        return false;
    }

    private Future<Optional<String>> authorization(UpstreamUrl url, String scope) {
        return switch (url.scheme()) {
            case BEARER -> url.tokens().token(url.bearerChallenge(), scope).map(token -> Optional.of("Bearer " + token));
            case BASIC -> Future.succeededFuture(basicCredentials.map(c -> "Basic " + c));
            default -> Future.succeededFuture(Optional.empty());
        };
    }

    /** Counts a request of {@code url} for the upstream and for the URL; a good answer puts the URL back in use. */
    private void counted(UpstreamUrl url, int status) {
        traffic.upstreamRequest(config.name(), status);
        traffic.upstreamUrlRequest(config.name(), url.base().toString(), status);
        if (status != 0 && status < 500 && status != 429) {
            url.answered(status);
        }
    }

    /** Sends, following redirects; a redirect to another host is sent without our Authorization. */
    private Future<HttpClientResponse> send(UpstreamUrl url, RequestOptions options, UpstreamOperation<?> operation,
                                            int redirects) {
        return http.request(options)
                .compose(request -> request.send())
                .recover(failure -> {
                    counted(url, 0);
                    return Future.failedFuture(UpstreamException.unreachable(config.name(), failure));
                })
                .compose(response -> {
                    int status = response.statusCode();
                    counted(url, status);
                    String location = response.getHeader("Location");
                    boolean redirect = (status == 301 || status == 302 || status == 303 || status == 307 || status == 308)
                            && location != null;
                    if (!redirect || redirects >= MAX_REDIRECTS) {
                        return Future.succeededFuture(response);
                    }
                    response.end();
                    URI from = URI.create(options.getURI() == null ? url.base().toString() : absolute(options));
                    URI target = from.resolve(location);
                    RequestOptions next = options(operation.method(), target.toString());
                    operation.headers().forEach(next::putHeader);
                    String id = options.getHeaders() == null ? null : options.getHeaders().get(RequestId.HEADER);
                    if (id != null) {
                        next.putHeader(RequestId.HEADER, id);
                    }
                    String auth = options.getHeaders() == null ? null : options.getHeaders().get("Authorization");
                    if (auth != null && sameOrigin(from, target)) {
                        next.putHeader("Authorization", auth);
                    }
                    return send(url, next, operation, redirects + 1);
                });
    }

    private static String absolute(RequestOptions options) {
        String scheme = Boolean.TRUE.equals(options.isSsl()) ? "https" : "http";
        return scheme + "://" + options.getHost() + (options.getPort() == null ? "" : ":" + options.getPort()) + options.getURI();
    }

    private static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme()) && a.getHost().equalsIgnoreCase(b.getHost())
                && a.getPort() == b.getPort();
    }

    private static RequestOptions options(HttpMethod method, String absoluteUri) {
        return new RequestOptions().setMethod(method).setAbsoluteURI(absoluteUri)
                .setConnectTimeout(CONNECT_TIMEOUT_MS).setIdleTimeout(IDLE_TIMEOUT_MS);
    }

    private <T> Future<T> fail(HttpClientResponse response, UpstreamOperation<T> operation) {
        response.end();
        return Future.failedFuture(UpstreamException.status(config.name(), operation.description(), response.statusCode(),
                Optional.ofNullable(response.getHeader("Retry-After"))));
    }

    @Override
    public void close() {
        http.close();
    }
}
