package dev.fleetmirror.node.warm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fleetmirror.core.error.ErrorCode;
import dev.fleetmirror.core.error.RegistryException;
import dev.fleetmirror.node.cluster.PeerAccess;
import dev.fleetmirror.node.api.ErrorResponses;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * {@code POST /admin/v1/warm} with {@code {"images": ["docker.io/library/redis:7", ...],
 * "platforms": ["linux/amd64"]}} (no platforms: all of an index's): the node fetches those images
 * into the cache and streams its progress as newline-delimited JSON ({@code manifest}, {@code blob}
 * with status fetching/fetched/cached, {@code image-done} or {@code image-failed}, and last
 * {@code summary}). Guarded like the other admin endpoints (the cluster secret, or loopback on a
 * node without one). Refused with 503 while the cluster is read-only: nothing would be stored.
 */
public final class WarmAdmin implements Handler<HttpServerRequest> {
    public static final String PATH = "/admin/v1/warm";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BODY = 64 * 1024;
    private static final int MAX_IMAGES = 500;

    private final Vertx vertx;
    private final Warmer warmer;
    private final WorkerExecutor runners;
    private final Optional<String> secret;
    private final BooleanSupplier writable;

    /**
     * @param runners  where a warm request runs (it blocks for as long as the fetches take)
     * @param writable whether fetched content would be stored now
     */
    public WarmAdmin(Vertx vertx, Warmer warmer, WorkerExecutor runners, Optional<String> secret, BooleanSupplier writable) {
        this.vertx = vertx;
        this.warmer = warmer;
        this.runners = runners;
        this.secret = secret;
        this.writable = writable;
    }

    @Override
    public void handle(HttpServerRequest request) {
        if (!request.path().equals(PATH)) {
            ErrorResponses.send(request, new RegistryException(ErrorCode.NAME_UNKNOWN,
                    "no admin endpoint at " + request.path() + "; pre-warming is at " + PATH, null, 404, null));
            return;
        }
        if (request.method() != HttpMethod.POST) {
            request.response().putHeader("Allow", "POST");
            ErrorResponses.send(request, new RegistryException(ErrorCode.UNSUPPORTED,
                    request.method() + " is not supported on " + PATH + "; POST {\"images\": [...]}"));
            return;
        }
        if (!PeerAccess.permits(request, secret)) {
            ErrorResponses.send(request, new RegistryException(ErrorCode.UNAUTHORIZED,
                    "access to " + PATH + " denied: " + PeerAccess.requirement(secret)));
            return;
        }
        request.body().onComplete(read -> {
            if (read.failed()) {
                ErrorResponses.send(request, read.cause());
                return;
            }
            Parsed parsed;
            try {
                parsed = parse(read.result());
            } catch (RegistryException e) {
                ErrorResponses.send(request, e);
                return;
            }
            if (!writable.getAsBoolean()) {
                ErrorResponses.send(request, new RegistryException(ErrorCode.UNAVAILABLE, "the cluster is read-only"
                        + " (maintenance or garbage collection): warming would store nothing; try again later", null, 503, null));
                return;
            }
            stream(request.response(), parsed);
        });
    }

    private record Parsed(List<ImageRef> images, List<Platform> platforms) {
    }

    static Parsed parse(Buffer body) {
        String usage = "send {\"images\": [\"name:tag\", ...], \"platforms\": [\"linux/amd64\", ...]} (platforms optional)";
        if (body.length() > MAX_BODY) {
            throw invalid("the body is larger than " + MAX_BODY + " bytes; " + usage);
        }
        JsonNode root;
        try {
            root = JSON.readTree(body.getBytes());
        } catch (Exception e) {
            throw invalid("the body is not JSON; " + usage);
        }
        if (root == null || !root.path("images").isArray() || root.path("images").isEmpty()) {
            throw invalid("no images named; " + usage);
        }
        if (root.path("images").size() > MAX_IMAGES) {
            throw invalid("at most " + MAX_IMAGES + " images per request");
        }
        List<ImageRef> images = new ArrayList<>();
        List<Platform> platforms = new ArrayList<>();
        try {
            for (JsonNode image : root.path("images")) {
                images.add(ImageRef.parse(image.asText("")));
            }
            for (JsonNode platform : root.path("platforms")) {
                platforms.add(Platform.parse(platform.asText("")));
            }
        } catch (IllegalArgumentException e) {
            throw invalid(e.getMessage());
        }
        return new Parsed(images, platforms);
    }

    private static RegistryException invalid(String message) {
        return new RegistryException(ErrorCode.UNSUPPORTED, message, null, 400, null);
    }

    /** Runs the warm on a worker; each event is written as one line from the response's context. */
    private void stream(HttpServerResponse response, Parsed parsed) {
        Context context = vertx.getOrCreateContext();
        response.setChunked(true).putHeader("Content-Type", "application/x-ndjson").putHeader("Cache-Control", "no-store");
        long started = System.nanoTime();
        runners.executeBlocking(() -> warmer.run(parsed.images(), parsed.platforms(),
                event -> context.runOnContext(v -> write(response, event))), false).onComplete(done -> {
                    ObjectNode summary = JSON.createObjectNode().put("event", "summary");
                    if (done.succeeded()) {
                        Warmer.Summary s = done.result();
                        summary.put("images", s.images()).put("failedImages", s.failedImages())
                                .put("manifests", s.manifests()).put("blobs", s.blobs()).put("cached", s.cached())
                                .put("fetched", s.fetched()).put("bytesFetched", s.bytesFetched());
                    } else {
                        summary.put("error", String.valueOf(done.cause().getMessage()));
                    }
                    summary.put("seconds", Math.round((System.nanoTime() - started) / 1e7) / 100.0);
                    // After the events queued before it: they were put on the same context first.
                    context.runOnContext(v -> {
                        write(response, summary);
                        if (!response.ended() && !response.closed()) {
                            response.end();
                        }
                    });
                });
    }

    private static void write(HttpServerResponse response, ObjectNode event) {
        if (!response.ended() && !response.closed()) {
            response.write(event.toString() + "\n");
        }
    }
}
