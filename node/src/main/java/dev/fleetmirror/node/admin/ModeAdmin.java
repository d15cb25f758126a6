package dev.fleetmirror.node.admin;

import dev.fleetmirror.node.gc.ClusterModeControl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fleetmirror.coordination.ClusterView;
import dev.fleetmirror.coordination.Coordination;
import dev.fleetmirror.coordination.mode.ClusterMode;
import dev.fleetmirror.coordination.mode.SwitchOutcome;
import dev.fleetmirror.core.error.ErrorCode;
import dev.fleetmirror.core.error.RegistryException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * {@code GET /admin/v1/mode}: the cluster's write mode; {@code PUT /admin/v1/mode} with
 * {@code {"mode": "read-only"|"read-write"}} switches it and answers once the switch is complete
 * (writes drained on every member), or with the reason it was not. Without quorum nothing
 * switches.
 *
 * @param pinnedReadOnly {@code storage.maintenance.readonly.enabled}, reported as it is
 * @param switched       told of every mode this node switched the cluster to (the storage snapshot follows it)
 */
public record ModeAdmin(Vertx vertx, Coordination coordination, boolean pinnedReadOnly, Consumer<ClusterMode> switched)
        implements AdminEndpoint {
    public static final String PATH = "/admin/v1/mode";
    public static final Duration DRAIN_TIMEOUT = ClusterModeControl.DRAIN_TIMEOUT;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BODY = 4096;

    @Override
    public AdminRoute route() {
        return AdminRoute.of(PATH, HttpMethod.GET, HttpMethod.PUT).readingBody();
    }

    @Override
    public Future<AdminAnswer> handle(HttpServerRequest request) {
        if (request.method() == HttpMethod.GET) {
            return Future.succeededFuture(AdminAnswer.ok(state(Optional.empty())));
        }
        return request.body().map(ModeAdmin::parse).compose(target -> vertx.executeBlocking(() -> {
            ClusterView view = coordination.view();
            if (!view.quorum()) {
                throw new RegistryException(ErrorCode.UNAVAILABLE, "no switch without quorum: " + view.members().size()
                        + " member(s) present, cluster.minimumSize not met", null, 503, null);
            }
            SwitchOutcome outcome = coordination.mode().switchTo(target, DRAIN_TIMEOUT);
            switched.accept(outcome.mode());
            return AdminAnswer.of(outcome.succeeded() ? 200 : 409, state(Optional.of(outcome)));
        }, false));
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
}
