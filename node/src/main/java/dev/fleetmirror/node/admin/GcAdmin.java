package dev.fleetmirror.node.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fleetmirror.coordination.gc.GcRunInfo;
import dev.fleetmirror.node.gc.GcService;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;

/**
 * {@code POST /admin/v1/gc} runs a garbage collection now and answers its report once the cluster
 * is read-write again; {@code GET /admin/v1/gc} says whether a run is in progress (and where) and
 * shows the last report.
 */
public record GcAdmin(GcService gc) implements AdminEndpoint {
    public static final String PATH = "/admin/v1/gc";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public AdminRoute route() {
        return AdminRoute.of(PATH, HttpMethod.GET, HttpMethod.POST);
    }

    @Override
    public Future<AdminAnswer> handle(HttpServerRequest request) {
        return (request.method() == HttpMethod.POST ? gc.run("admin").map(report -> (JsonNode) report) : status())
                .map(AdminAnswer::ok);
    }

    private Future<JsonNode> status() {
        return gc.current().compose(current -> gc.latestReport().map(latest -> {
            ObjectNode root = JSON.createObjectNode();
            if (current.isPresent()) {
                GcRunInfo run = current.get();
                ObjectNode running = root.putObject("running");
                running.put("runId", run.runId());
                running.put("member", run.memberId());
                running.put("trigger", run.trigger());
                running.put("started", run.started().toString());
                running.put("phase", run.phase());
            } else {
                root.putNull("running");
            }
            if (latest.isPresent()) {
                try {
                    root.set("latest", JSON.readTree(latest.get()));
                } catch (Exception e) {
                    root.put("latest", "unreadable: " + e.getMessage());
                }
            } else {
                root.putNull("latest");
            }
            return root;
        }));
    }
}
