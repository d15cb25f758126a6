package dev.fleetmirror.node.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fleetmirror.coordination.ClusterView;
import dev.fleetmirror.coordination.Coordination;
import dev.fleetmirror.coordination.mode.ClusterMode;
import dev.fleetmirror.coordination.mode.SwitchOutcome;
import dev.fleetmirror.core.error.ErrorCode;
import dev.fleetmirror.core.error.RegistryException;
import dev.fleetmirror.node.api.ApiHeaders;
import dev.fleetmirror.node.api.ErrorResponses;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * {@code GET /admin/v1/mode}: the cluster's write mode; {@code PUT /admin/v1/mode} with
 * {@code {"mode": "read-only"|"read-write"}} switches it and answers once the switch is complete
 * (writes drained on every member), or with the reason it was not. Access as for the cluster
 * endpoint. Without quorum nothing switches.
 */
public final class ModeAdmin implements Handler<HttpServerRequest> {
    public static final String PATH = "/admin/v1/mode";
    public static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BODY = 4096;

    private final Vertx vertx;
    private final Coordination coordination;
    private final Optional<String> secret;
    private final boolean pinnedReadOnly;
    private final Consumer<ClusterMode> switched;

    /** @param switched told of every mode this node switched the cluster to (the storage snapshot follows it) */
    public ModeAdmin(Vertx vertx, Coordination coordination, Optional<String> secret, boolean pinnedReadOnly,
                     Consumer<ClusterMode> switched) {
        this.vertx = vertx;
        this.coordination = coordination;
        this.secret = secret;
        this.pinnedReadOnly = pinnedReadOnly;
        this.switched = switched;
    }

    @Override
    public void handle(HttpServerRequest request) {
        if (!request.path().equals(PATH)) {
            ErrorResponses.send(request, new RegistryException(ErrorCode.NAME_UNKNOWN,
                    "no admin endpoint at " + request.path() + "; the mode is at " + PATH, null, 404, null));
            return;
        }
        if (request.method() != HttpMethod.GET && request.method() != HttpMethod.PUT) {
            request.response().putHeader("Allow", "GET, PUT");
            ErrorResponses.send(request, new RegistryException(ErrorCode.UNSUPPORTED,
                    request.method() + " is not supported on " + PATH + "; allowed: GET, PUT"));
            return;
        }
        if (!PeerAccess.permits(request, secret)) {
            ErrorResponses.send(request, new RegistryException(ErrorCode.UNAUTHORIZED,
                    "access to " + PATH + " denied: " + PeerAccess.requirement(secret)));
            return;
        }
        if (request.method() == HttpMethod.GET) {
            answer(request, 200, state(Optional.empty()));
            return;
        }
        request.body().onComplete(read -> {
            if (read.failed()) {
                ErrorResponses.send(request, read.cause());
                return;
            }
            ClusterMode target;
            try {
                target = parse(read.result());
            } catch (RegistryException e) {
                ErrorResponses.send(request, e);
                return;
            }
            vertx.executeBlocking(() -> {
                ClusterView view = coordination.view();
                if (!view.quorum()) {
                    throw new RegistryException(ErrorCode.UNAVAILABLE, "no switch without quorum: " + view.members().size()
                            + " member(s) present, cluster.minimumSize not met", null, 503, null);
                }
                SwitchOutcome outcome = coordination.mode().switchTo(target, DRAIN_TIMEOUT);
                switched.accept(outcome.mode());
                return outcome;
            }, false).onComplete(done -> {
                if (done.failed()) {
                    ErrorResponses.send(request, done.cause());
                    return;
                }
                SwitchOutcome outcome = done.result();
                answer(request, outcome.succeeded() ? 200 : 409, state(Optional.of(outcome)));
            });
        });
    }

    private static ClusterMode parse(Buffer body) {
        if (body.length() > MAX_BODY) {
            throw new RegistryException(ErrorCode.SIZE_INVALID, "the body of PUT " + PATH + " is a small JSON object");
        }
        String usage = "send {\"mode\": \"read-only\"} or {\"mode\": \"read-write\"}";
        JsonNode root;
        try {
            root = JSON.readTree(body.getBytes());
        } catch (Exception e) {
            throw new RegistryException(ErrorCode.UNSUPPORTED, "the body is not JSON: " + usage, null, 400, null);
        }
        String mode = root == null ? "" : root.path("mode").asText("").trim().toUpperCase(Locale.ROOT).replace('-', '_');
        return switch (mode) {
            case "READ_ONLY" -> ClusterMode.READ_ONLY;
            case "READ_WRITE" -> ClusterMode.READ_WRITE;
            default -> throw new RegistryException(ErrorCode.UNSUPPORTED, "unknown mode '" + root.path("mode").asText("")
                    + "': " + usage, null, 400, null);
        };
    }

    private ObjectNode state(Optional<SwitchOutcome> outcome) {
        ObjectNode root = JSON.createObjectNode();
        root.put("mode", coordination.mode().current().name());
        root.put("pinnedReadOnly", pinnedReadOnly);
        root.put("writesInFlight", coordination.mode().inFlight());
        outcome.ifPresent(o -> {
            root.put("switchMillis", o.took().toMillis());
            o.failure().ifPresent(why -> root.put("error", why));
        });
        return root;
    }

    private static void answer(HttpServerRequest request, int status, ObjectNode body) {
        byte[] bytes;
        try {
            bytes = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(body);
        } catch (Exception e) {
            ErrorResponses.send(request, e);
            return;
        }
        request.response().setStatusCode(status).putHeader("Content-Type", ApiHeaders.JSON)
                .putHeader("Cache-Control", "no-store").end(Buffer.buffer(bytes));
    }
}
