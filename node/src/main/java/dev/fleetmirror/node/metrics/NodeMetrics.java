package dev.fleetmirror.node.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fleetmirror.coordination.Coordination;
import dev.fleetmirror.coordination.mode.ClusterMode;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import java.io.ByteArrayOutputStream;

/**
 * The node's Prometheus metrics at {@code GET /metrics}: its {@link Traffic}, the cluster (members, mode, writes in
 * flight) and garbage collection (runs by outcome, blobs and bytes freed, the last run's duration
 * and read-only window). Scrapes read Hazelcast, so they are answered from a worker.
 */
public final class NodeMetrics implements Handler<HttpServerRequest> {
    public static final String PATH = "/metrics";

    private final Vertx vertx;
    private final PrometheusRegistry registry;
    private final Counter gcRuns;
    private final Counter gcBlobsDeleted;
    private final Counter gcBytesFreed;
    private final Gauge gcLastDuration;
    private final Gauge gcLastReadOnly;
    private final Gauge gcLastWindow;
    private final Counter gcWritesHeld;
    private final Gauge gcLastLongestHold;
    private final Gauge gcLastManifestsRead;
    private final Gauge gcLastRequests;

    /** @param registry where the node's other metrics ({@link Traffic}) are registered too */
    public NodeMetrics(Vertx vertx, Coordination coordination, PrometheusRegistry registry) {
        this.vertx = vertx;
        this.registry = registry;
        GaugeWithCallback.builder().name("fleetmirror_cluster_members").help("Members of the cluster this node sees")
                .callback(callback -> callback.call(coordination.view().members().size())).register(registry);
        GaugeWithCallback.builder().name("fleetmirror_cluster_mode").help("1 for the cluster's current write mode")
                .labelNames("mode")
                .callback(callback -> {
                    ClusterMode current = coordination.mode().current();
                    for (ClusterMode mode : ClusterMode.values()) {
                        callback.call(mode == current ? 1 : 0, mode.name());
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("fleetmirror_writes_in_flight").help("Storage writes holding a permit on this node")
                .callback(callback -> callback.call(coordination.mode().inFlight())).register(registry);
        gcRuns = Counter.builder().name("fleetmirror_gc_runs_total").help("Garbage collections by outcome")
                .labelNames("outcome").register(registry);
        gcBlobsDeleted = Counter.builder().name("fleetmirror_gc_blobs_deleted_total").help("Blobs deleted by garbage collection")
                .register(registry);
        gcBytesFreed = Counter.builder().name("fleetmirror_gc_bytes_freed_total").help("Bytes freed by garbage collection")
                .register(registry);
        gcLastDuration = Gauge.builder().name("fleetmirror_gc_last_duration_seconds").help("Duration of the last garbage collection")
                .register(registry);
        gcLastReadOnly = Gauge.builder().name("fleetmirror_gc_last_read_only_seconds")
                .help("How long the cluster was read-only during the last garbage collection").register(registry);
        gcLastWindow = Gauge.builder().name("fleetmirror_gc_last_window_seconds")
                .help("The last garbage collection's window: from the start of the drain to read-write again").register(registry);
        gcWritesHeld = Counter.builder().name("fleetmirror_gc_writes_held_total")
                .help("Writes that waited out a garbage collection's window").register(registry);
        gcLastLongestHold = Gauge.builder().name("fleetmirror_gc_last_longest_hold_seconds")
                .help("The longest wait of a write during the last garbage collection's window").register(registry);
        gcLastManifestsRead = Gauge.builder().name("fleetmirror_gc_last_manifests_read")
                .help("Manifests the last garbage collection read (those not in its reference index)").register(registry);
        gcLastRequests = Gauge.builder().name("fleetmirror_gc_last_storage_requests")
                .help("Storage requests of the last garbage collection, by kind").labelNames("kind").register(registry);
    }

    /** Takes in a GC report this node wrote. */
    public void gcReported(JsonNode report) {
        gcRuns.labelValues(report.path("outcome").asText("unknown")).inc();
        gcBlobsDeleted.inc(report.path("blobsDeleted").asLong(0));
        gcBytesFreed.inc(report.path("bytesFreed").asLong(0));
        gcLastDuration.set(report.path("durationMillis").asLong(0) / 1000.0);
        gcLastReadOnly.set(report.path("readOnlyMillis").asLong(0) / 1000.0);
        gcLastWindow.set(report.path("windowMillis").asLong(0) / 1000.0);
        gcWritesHeld.inc(report.path("writesHeld").asLong(0));
        gcLastLongestHold.set(report.path("longestHoldMillis").asLong(0) / 1000.0);
        gcLastManifestsRead.set(report.path("manifestsRead").asLong(0));
        report.fieldNames().forEachRemaining(field -> {
            if (field.startsWith("requests") && !field.equals("requestsTotal")) {
                gcLastRequests.labelValues(field.substring("requests".length()).toLowerCase(java.util.Locale.ROOT))
                        .set(report.path(field).asLong(0));
            }
        });
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    @Override
    public void handle(HttpServerRequest request) {
        vertx.executeBlocking(() -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            PrometheusTextFormatWriter.create().write(out, registry.scrape());
            return out.toByteArray();
        }, false).onComplete(done -> {
            if (done.failed()) {
                request.response().setStatusCode(500).end(String.valueOf(done.cause()));
                return;
            }
            request.response().putHeader("Content-Type", PrometheusTextFormatWriter.CONTENT_TYPE)
                    .end(Buffer.buffer(done.result()));
        });
    }
}
