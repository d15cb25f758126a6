package dev.fleetmirror.node.proxy;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Docker token authentication in front of a real docker-registry, for tests: no token service
 * runs on this machine, and docker-registry's own token mode needs one. {@code /token} issues
 * tokens to holders of the configured Basic credentials; {@code /v2/...} demands a token (the
 * challenge names {@code realmHost} as realm) and forwards to the registry, unless told to answer
 * with an error status instead, as a rate-limited or failing upstream would.
 */
final class TokenGate implements AutoCloseable {
    record TokenRequest(String scope, boolean hadCredentials) {
    }

    private final Vertx vertx = Vertx.vertx();
    private final HttpClient client = vertx.createHttpClient();
    private final URI registry;
    private final String credentials;
    private final String realmHost;
    private final Set<String> tokens = ConcurrentHashMap.newKeySet();
    private final List<TokenRequest> tokenRequests = new CopyOnWriteArrayList<>();
    private final List<String> forwarded = new CopyOnWriteArrayList<>();
    private volatile int failWith;
    private volatile String retryAfter;
    private volatile long cutBlobsAfter = -1;
    private volatile long blobChunkDelayMs;
    private HttpServer server;

    private String scheme = "http";

    private TokenGate(URI registry, String user, String password, String realmHost) {
        this.registry = registry;
        this.credentials = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        this.realmHost = realmHost;
    }

    static TokenGate start(URI registry, String user, String password, String realmHost) throws Exception {
        return start(registry, user, password, realmHost, null);
    }

    /** @param tls a PEM certificate and key to serve HTTPS with, or null for plain HTTP */
    static TokenGate start(URI registry, String user, String password, String realmHost,
                           io.vertx.core.net.PemKeyCertOptions tls) throws Exception {
        TokenGate gate = new TokenGate(registry, user, password, realmHost);
        io.vertx.core.http.HttpServerOptions options = new io.vertx.core.http.HttpServerOptions();
        if (tls != null) {
            options.setSsl(true).setKeyCertOptions(tls);
            gate.scheme = "https";
        }
        gate.server = gate.vertx.createHttpServer(options).requestHandler(gate::handle).listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        return gate;
    }

    URI baseUri() {
        return URI.create(scheme + "://127.0.0.1:" + server.actualPort());
    }

    List<TokenRequest> tokenRequests() {
        return tokenRequests;
    }

    /** {@code METHOD path} of every registry request forwarded upstream, as it starts: what a test can wait for. */
    List<String> forwarded() {
        return forwarded;
    }

    /** From now on every registry request is answered with {@code status} (0: forward again). */
    void failWith(int status, String retryAfter) {
        this.failWith = status;
        this.retryAfter = retryAfter;
    }

    /** From now on blob bodies trickle: a pause of {@code millis} after each chunk forwarded (0 also ends the trickle of bodies in flight). */
    void slowBlobs(long millis) {
        this.blobChunkDelayMs = millis;
    }

    /** From now on blob bodies break off after {@code bytes}, the connection closed (-1: whole bodies again). */
    void cutBlobsAfter(long bytes) {
        this.cutBlobsAfter = bytes;
    }

    private void handle(HttpServerRequest request) {
        if (request.path().equals("/token")) {
            boolean authorized = credentials.equals(request.getHeader("Authorization"));
            tokenRequests.add(new TokenRequest(request.getParam("scope"), request.getHeader("Authorization") != null));
            if (!authorized) {
                request.response().setStatusCode(401).end("{\"errors\":[{\"code\":\"UNAUTHORIZED\"}]}");
                return;
            }
            String token = UUID.randomUUID().toString();
            tokens.add(token);
            request.response().putHeader("Content-Type", "application/json")
                    .end("{\"token\":\"" + token + "\",\"expires_in\":300}");
            return;
        }
        String auth = request.getHeader("Authorization");
        if (auth == null || !auth.startsWith("Bearer ") || !tokens.contains(auth.substring(7))) {
            String name = request.path().replaceFirst("^/v2/", "").replaceFirst("/(manifests|blobs|tags)/.*$", "");
            request.response().setStatusCode(401)
                    .putHeader("WWW-Authenticate", "Bearer realm=\"" + scheme + "://" + realmHost + ":" + server.actualPort()
                            + "/token\",service=\"gate\",scope=\"repository:" + name + ":pull\"")
                    .end();
            return;
        }
        if (failWith != 0) {
            if (retryAfter != null) {
                request.response().putHeader("Retry-After", retryAfter);
            }
            request.response().setStatusCode(failWith).end();
            return;
        }
        forward(request);
    }

    private void forward(HttpServerRequest request) {
        forwarded.add(request.method() + " " + request.path());
        request.pause();
        RequestOptions options = new RequestOptions().setMethod(request.method())
                .setAbsoluteURI(registry.resolve(request.uri()).toString());
        for (String header : List.of("Accept", "Range")) {
            if (request.getHeader(header) != null) {
                options.putHeader(header, request.getHeader(header));
            }
        }
        client.request(options).compose(out -> out.send(request)).onComplete(answer -> {
            if (answer.failed()) {
                request.response().setStatusCode(502).end();
                return;
            }
            var response = answer.result();
            // A client that goes away stops the transfer behind it, as a real link would.
            request.response().closeHandler(v -> response.request().reset());
            request.response().setStatusCode(response.statusCode());
            for (String header : List.of("Content-Type", "Content-Length", "Content-Range", "Docker-Content-Digest", "Link")) {
                if (response.getHeader(header) != null) {
                    request.response().putHeader(header, response.getHeader(header));
                }
            }
            boolean blobGet = request.method() == io.vertx.core.http.HttpMethod.GET && request.path().contains("/blobs/");
            long cut = blobGet ? cutBlobsAfter : -1;
            long delay = blobGet ? blobChunkDelayMs : 0;
            if (delay > 0 && cut < 0) {
                response.handler(chunk -> {
                    request.response().write(chunk);
                    // Read per chunk: a test that lifts the trickle lets transfers in flight finish at once.
                    long pause = blobChunkDelayMs;
                    if (pause > 0) {
                        response.pause();
                        vertx.setTimer(pause, t -> response.resume());
                    }
                });
                response.endHandler(v -> request.response().end());
                return;
            }
            if (cut < 0) {
                response.pipeTo(request.response());
                return;
            }
            long[] sent = {0};
            response.handler(chunk -> {
                if (sent[0] + chunk.length() < cut) {
                    sent[0] += chunk.length();
                    request.response().write(chunk);
                    if (delay > 0) {
                        response.pause();
                        vertx.setTimer(delay, t -> response.resume());
                    }
                } else {
                    request.response().write(chunk.slice(0, (int) (cut - sent[0])));
                    sent[0] = cut;
                    response.handler(null);
                    request.connection().close();
                }
            });
            response.endHandler(v -> {
                if (sent[0] < cut) {
                    request.response().end();
                }
            });
        });
    }

    @Override
    public void close() {
        Future<Void> closed = vertx.close();
        try {
            closed.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
