package dev.fleetmirror.node.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fleetmirror.core.error.ErrorCode;
import dev.fleetmirror.core.error.RegistryException;
import dev.fleetmirror.node.warm.ImageRef;
import dev.fleetmirror.node.warm.Platform;
import dev.fleetmirror.node.warm.Warmer;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * {@code POST /admin/v1/warm} with {@code {"images": ["docker.io/library/redis:7", ...],
 * "platforms": ["linux/amd64"], "withReferrers": true}} (no platforms: all of an index's; with referrers:
 * also each image's signatures, SBOMs and attestations, see {@link Warmer}): the node fetches those images
 * into the cache and streams its progress as newline-delimited JSON ({@code manifest}, {@code blob}
 * with status fetching/fetched/cached, {@code image-done} or {@code image-failed}, and last
 * {@code referrer}, and last {@code summary}). Refused with 503 while the cluster is read-only: nothing would be stored.
 *
 * @param runners  where a warm request runs (it blocks for as long as the fetches take)
 * @param writable whether fetched content would be stored now
 */
public record WarmAdmin(Vertx vertx, Warmer warmer, WorkerExecutor runners, BooleanSupplier writable)
        implements AdminEndpoint {
    public static final String PATH = "/admin/v1/warm";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BODY = 64 * 1024;
    private static final int MAX_IMAGES = 500;

    @Override
    public AdminRoute route() {
        return AdminRoute.of(PATH, HttpMethod.POST).readingBody();
    }

    @Override
    public Future<AdminAnswer> handle(HttpServerRequest request) {
        return request.body().map(WarmAdmin::parse).map(parsed -> {
            if (!writable.getAsBoolean()) {
                throw new RegistryException(ErrorCode.UNAVAILABLE, "the cluster is read-only (maintenance or garbage"
                        + " collection): warming would store nothing; try again later", null, 503, null);
            }
            stream(request.response(), parsed);
            return AdminAnswer.SENT;
        });
    }

    private record Parsed(List<ImageRef> images, List<Platform> platforms, boolean withReferrers) {
    }

    static Parsed parse(Buffer body) {
        String usage = "send {\"images\": [\"name:tag\", ...], \"platforms\": [\"linux/amd64\", ...],"
                + " \"withReferrers\": true} (platforms and withReferrers optional)";
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
        JsonNode withReferrers = root.path("withReferrers");
        if (!withReferrers.isMissingNode() && !withReferrers.isBoolean()) {
            throw invalid("withReferrers must be true or false; " + usage);
        }
        return new Parsed(images, platforms, withReferrers.asBoolean(false));
    }

    private static RegistryException invalid(String message) {
        return new RegistryException(ErrorCode.UNSUPPORTED, message, null, 400, null);
    }

    /** Runs the warm on a worker; each event is written as one line from the response's context. */
    private void stream(HttpServerResponse response, Parsed parsed) {
        Context context = vertx.getOrCreateContext();
        response.setChunked(true).putHeader("Content-Type", "application/x-ndjson").putHeader("Cache-Control", "no-store");
        long started = System.nanoTime();
        runners.executeBlocking(() -> warmer.run(parsed.images(), parsed.platforms(), parsed.withReferrers(),
                event -> context.runOnContext(v -> write(response, event))), false).onComplete(done -> {
                    ObjectNode summary = JSON.createObjectNode().put("event", "summary");
                    if (done.succeeded()) {
                        Warmer.Summary s = done.result();
                        summary.put("images", s.images()).put("failedImages", s.failedImages())
                                .put("manifests", s.manifests()).put("blobs", s.blobs()).put("cached", s.cached())
                                .put("fetched", s.fetched()).put("bytesFetched", s.bytesFetched())
                                .put("referrers", s.referrers());
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
