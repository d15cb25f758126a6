package dev.fleetmirror.node.metrics;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fleetmirror.coordination.ClusterView;
import dev.fleetmirror.coordination.Coordination;
import dev.fleetmirror.coordination.mode.ClusterMode;
import dev.fleetmirror.core.storage.PathNotFoundException;
import dev.fleetmirror.core.storage.StorageDriver;
import dev.fleetmirror.core.storage.StoragePath;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;

/**
 * {@code GET /healthz}: the node answers (its event loop turns). {@code GET /readyz}: it should get
 * traffic: storage answers, the cluster has its quorum, and writes are not draining for a switch.
 * Each check says what it found; 503 when one fails. Checks touch storage and Hazelcast, so they
 * run on a worker.
 */
public final class Health implements Handler<HttpServerRequest> {
    public static final String LIVE = "/healthz";
    public static final String READY = "/readyz";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Vertx vertx;
    private final StorageDriver storage;
    private final Coordination coordination;

    public Health(Vertx vertx, StorageDriver storage, Coordination coordination) {
        this.vertx = vertx;
        this.storage = storage;
        this.coordination = coordination;
    }

    @Override
    public void handle(HttpServerRequest request) {
        if (request.path().equals(LIVE)) {
            request.response().putHeader("Content-Type", "text/plain").end("ok\n");
            return;
        }
        vertx.executeBlocking(this::readiness, false).onComplete(done -> {
            ObjectNode body = done.succeeded() ? done.result() : JSON.createObjectNode().put("error", String.valueOf(done.cause()));
            boolean ready = done.succeeded() && body.path("ready").asBoolean();
            request.response().setStatusCode(ready ? 200 : 503).putHeader("Content-Type", "application/json")
                    .putHeader("Cache-Control", "no-store").end(Buffer.buffer(body.toPrettyString()));
        });
    }

    private ObjectNode readiness() {
        ObjectNode body = JSON.createObjectNode();
        boolean ready = true;
        try {
            storage.list(StoragePath.ROOT);
            body.put("storage", "ok");
        } catch (PathNotFoundException empty) {
            body.put("storage", "ok");
        } catch (RuntimeException e) {
            body.put("storage", "unreachable: " + e.getMessage());
            ready = false;
        }
        ClusterView view = coordination.view();
        if (view.quorum()) {
            body.put("cluster", "ok: " + view.members().size() + " member(s)");
        } else {
            body.put("cluster", "no quorum: " + view.members().size() + " member(s), cluster.minimumSize not met");
            ready = false;
        }
        ClusterMode mode = coordination.mode().current();
        body.put("mode", mode.name());
        if (mode == ClusterMode.DRAINING) {
            ready = false;
        }
        body.put("ready", ready);
        return body;
    }
}
