package dev.fleetmirror.node.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fleetmirror.coordination.ClusterSettings;
import dev.fleetmirror.coordination.ClusterView;
import dev.fleetmirror.coordination.Coordination;
import dev.fleetmirror.coordination.fill.FillHolder;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import dev.fleetmirror.node.metrics.UpstreamUrlHealth;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@code GET /admin/v1/cluster}: the cluster as this node sees it (members, the oldest, quorum) and
 * the blob fills in flight, for operators and for scripts that wait for a cluster to form. The
 * answer is read from Hazelcast on a worker thread, never on the event loop.
 *
 * @param settings     the {@code cluster:} section, empty for a standalone node
 * @param upstreamUrls how each upstream URL fares on this member (the one answering), under {@code upstreams}
 */
public record ClusterAdmin(Vertx vertx, Coordination coordination, Optional<ClusterSettings> settings,
                           Supplier<List<UpstreamUrlHealth>> upstreamUrls) implements AdminEndpoint {

    public ClusterAdmin(Vertx vertx, Coordination coordination, Optional<ClusterSettings> settings) {
        this(vertx, coordination, settings, List::of);
    }
    public static final String PATH = "/admin/v1/cluster";
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    @Override
    public AdminRoute route() {
        return AdminRoute.of(PATH, HttpMethod.GET, HttpMethod.HEAD);
    }

    @Override
    public Future<AdminAnswer> handle(HttpServerRequest request) {
        return vertx.executeBlocking(() -> AdminAnswer.ok(describe()), false);
    }

    private ObjectNode describe() {
        ClusterView view = coordination.view();
        List<FillHolder> fills = coordination.fills().inFlight();
        ObjectNode root = JSON.objectNode();
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
        // Upstream health is each member's own (its URLs failed or answered for it): this member's, named.
        ObjectNode upstreams = root.putObject("upstreams");
        upstreams.put("member", coordination.memberId());
        ArrayNode urls = upstreams.putArray("urls");
        for (UpstreamUrlHealth health : upstreamUrls.get()) {
            health.describe(urls.addObject().put("upstream", health.upstream()));
        }
        return root;
    }

    private static ObjectNode member(ObjectNode node, ClusterView.Member member) {
        node.put("id", member.id());
        node.put("address", member.address());
        node.put("peerUrl", member.peerUrl());
        return node;
    }
}
