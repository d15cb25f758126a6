package dev.fleetmirror.node.gc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fleetmirror.coordination.gc.GcRunInfo;
import dev.fleetmirror.core.error.ErrorCode;
import dev.fleetmirror.core.error.RegistryException;
import dev.fleetmirror.node.cluster.PeerAccess;
import dev.fleetmirror.node.api.ApiHeaders;
import dev.fleetmirror.node.api.ErrorResponses;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.util.Optional;

/**
 * {@code POST /admin/v1/gc} runs a garbage collection now and answers its report once the cluster
 * is read-write again; {@code GET /admin/v1/gc} says whether a run is in progress (and where) and
 * shows the last report. Access as for the cluster endpoint: loopback without
 * {@code cluster.secret}, the secret with one.
 */
public final class GcAdmin implements Handler<HttpServerRequest> {
    public static final String PATH = "/admin/v1/gc";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final GcService gc;
    private final Optional<String> secret;

    public GcAdmin(GcService gc, Optional<String> secret) {
        this.gc = gc;
        this.secret = secret;
    }

    @Override
    public void handle(HttpServerRequest request) {
        if (!request.path().equals(PATH)) {
            ErrorResponses.send(request, new RegistryException(ErrorCode.NAME_UNKNOWN,
                    "no admin endpoint at " + request.path() + "; garbage collection is at " + PATH, null, 404, null));
            return;
        }
        if (request.method() != HttpMethod.GET && request.method() != HttpMethod.POST) {
            request.response().putHeader("Allow", "GET, POST");
            ErrorResponses.send(request, new RegistryException(ErrorCode.UNSUPPORTED,
                    request.method() + " is not supported on " + PATH + "; allowed: GET (status), POST (run now)"));
            return;
        }
        if (!PeerAccess.permits(request, secret)) {
            ErrorResponses.send(request, new RegistryException(ErrorCode.UNAUTHORIZED,
                    "access to " + PATH + " denied: " + PeerAccess.requirement(secret)));
            return;
        }
        ErrorResponses.discardBody(request);
        Future<JsonNode> answer = request.method() == HttpMethod.POST
                ? gc.run("admin").map(report -> (JsonNode) report)
                : status();
        answer.onComplete(done -> {
            if (done.failed()) {
                ErrorResponses.send(request, done.cause());
                return;
            }
            Buffer body;
            try {
                body = Buffer.buffer(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(done.result()));
            } catch (Exception e) {
                ErrorResponses.send(request, e);
                return;
            }
            request.response().setStatusCode(200)
                    .putHeader("Content-Type", ApiHeaders.JSON)
                    .putHeader("Cache-Control", "no-store")
                    .end(body);
        });
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
