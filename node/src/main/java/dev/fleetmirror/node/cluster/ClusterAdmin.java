package dev.fleetmirror.node.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fleetmirror.coordination.ClusterSettings;
import dev.fleetmirror.coordination.ClusterView;
import dev.fleetmirror.coordination.Coordination;
import dev.fleetmirror.coordination.fill.FillHolder;
import dev.fleetmirror.core.error.ErrorCode;
import dev.fleetmirror.core.error.RegistryException;
import dev.fleetmirror.node.api.ApiHeaders;
import dev.fleetmirror.node.api.ErrorResponses;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;
import java.util.Optional;

/**
 * {@code GET /admin/v1/cluster}: the cluster as this node sees it (members, the oldest, quorum) and
 * the blob fills in flight, for operators and for scripts that wait for a cluster to form. The
 * answer is read from Hazelcast on a worker thread, never on the event loop.
 */
public final class ClusterAdmin implements Handler<HttpServerRequest> {
    public static final String PATH = "/admin/v1/cluster";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Vertx vertx;
    private final Coordination coordination;
    private final Optional<ClusterSettings> settings;
    private final Optional<String> secret;

    /** @param settings the {@code cluster:} section, empty for a standalone node */
    public ClusterAdmin(Vertx vertx, Coordination coordination, Optional<ClusterSettings> settings) {
        this.vertx = vertx;
        this.coordination = coordination;
        this.settings = settings;
        this.secret = settings.flatMap(ClusterSettings::secret);
    }

    @Override
    public void handle(HttpServerRequest request) {
        if (!request.path().equals(PATH)) {
            ErrorResponses.send(request, new RegistryException(ErrorCode.NAME_UNKNOWN,
                    "no admin endpoint at " + request.path() + "; the cluster is described at " + PATH, null, 404, null));
            return;
        }
        if (request.method() != HttpMethod.GET && request.method() != HttpMethod.HEAD) {
            request.response().putHeader("Allow", "GET, HEAD");
            ErrorResponses.send(request, new RegistryException(ErrorCode.UNSUPPORTED,
                    request.method() + " is not supported on " + PATH + "; allowed: GET, HEAD"));
            return;
        }
        if (!PeerAccess.permits(request, secret)) {
            ErrorResponses.send(request, new RegistryException(ErrorCode.UNAUTHORIZED,
                    "access to " + PATH + " denied: " + PeerAccess.requirement(secret)));
            return;
        }
        vertx.executeBlocking(this::describe, false).onComplete(described -> {
            if (described.failed()) {
                ErrorResponses.send(request, described.cause());
                return;
            }
            Buffer body = Buffer.buffer(described.result());
            request.response().setStatusCode(200)
                    .putHeader("Content-Type", ApiHeaders.JSON)
                    .putHeader("Content-Length", Integer.toString(body.length()))
                    .putHeader("Cache-Control", "no-store");
            if (request.method() == HttpMethod.HEAD) {
                request.response().end();
            } else {
                request.response().end(body);
            }
        });
    }

    private byte[] describe() throws com.fasterxml.jackson.core.JsonProcessingException {
        ClusterView view = coordination.view();
        List<FillHolder> fills = coordination.fills().inFlight();
        ObjectNode root = JSON.createObjectNode();
        root.put("name", view.name());
        root.put("mode", settings.isPresent() ? "cluster" : "standalone");
        root.put("memberId", coordination.memberId());
        ArrayNode members = root.putArray("members");
        for (ClusterView.Member member : view.members()) {
            ObjectNode entry = member(members.addObject(), member);
            entry.put("local", member.local());
            entry.put("oldest", member.id().equals(view.oldest().id()));
        }
        member(root.putObject("oldest"), view.oldest());
        root.put("quorum", view.quorum());
        root.put("minimumSize", settings.map(ClusterSettings::minimumSize).orElse(1));
        ArrayNode inFlight = root.putArray("fills");
        for (FillHolder fill : fills) {
            ObjectNode entry = inFlight.addObject();
            entry.put("digest", fill.digest().toString());
            entry.put("member", fill.memberId());
            entry.put("peerUrl", fill.peerUrl());
            if (fill.size() >= 0) {
                entry.put("size", fill.size());
            } else {
                entry.putNull("size");
            }
            entry.put("since", fill.since().toString());
        }
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
    }

    private static ObjectNode member(ObjectNode node, ClusterView.Member member) {
        node.put("id", member.id());
        node.put("address", member.address());
        node.put("peerUrl", member.peerUrl());
        return node;
    }
}
