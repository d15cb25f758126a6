package dev.fleetmirror.node.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fleetmirror.coordination.ClusterView;
import dev.fleetmirror.coordination.Coordination;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The status page at {@value #PATH}/: one HTML file with its own style and a little script, which
 * reads {@value #PATH}/status.json every few seconds (cluster members and mode, cache hit ratio,
 * bytes served against bytes fetched upstream, the most pulled repositories, upstream health, the
 * last GC report, and the last hour per minute from {@link TrafficHistory}, which the page draws as
 * charts itself). Nothing is loaded from elsewhere and nothing secret is shown. {@code GET /} from a
 * browser is sent here.
 */
public final class StatusPage implements Handler<HttpServerRequest> {
    public static final String PATH = "/ui";
    public static final String ROOT = "/";
    private static final int TOP = 10;
    /** How often the counters are sampled for the last hour's charts. */
    private static final long SAMPLE_MILLIS = 5_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Vertx vertx;
    private final Coordination coordination;
    private final Traffic traffic;
    private final Supplier<Future<Optional<byte[]>>> lastGc;
    private final String version;
    private final Instant started = Instant.now();
    private final Buffer page;
    private final TrafficHistory history = new TrafficHistory();

    /** @param lastGc the last GC report written by any member, if any */
    public StatusPage(Vertx vertx, Coordination coordination, Traffic traffic, Supplier<Future<Optional<byte[]>>> lastGc,
                      String version) {
        this.vertx = vertx;
        this.coordination = coordination;
        this.traffic = traffic;
        this.lastGc = lastGc;
        this.version = version;
        // The charts' minutes fill whether or not anyone looks; Vert.x cancels the timer when it closes.
        vertx.setPeriodic(SAMPLE_MILLIS, id -> history.sample(System.currentTimeMillis(), traffic.totals(),
                traffic.fillsInFlight()));
        try (InputStream in = StatusPage.class.getResourceAsStream("/ui/index.html")) {
            if (in == null) {
                throw new IllegalStateException("the status page is missing from the jar (ui/index.html)");
            }
            this.page = Buffer.buffer(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void handle(HttpServerRequest request) {
        if (request.method() != HttpMethod.GET && request.method() != HttpMethod.HEAD) {
            request.response().setStatusCode(405).putHeader("Allow", "GET, HEAD").end();
            return;
        }
        String path = request.path();
        if (path.equals(ROOT) || path.equals(PATH)) {
            request.response().setStatusCode(302).putHeader("Location", PATH + "/").end();
        } else if (path.equals(PATH + "/")) {
            request.response().putHeader("Content-Type", "text/html; charset=utf-8")
                    .putHeader("Cache-Control", "no-cache")
                    .putHeader("Content-Security-Policy", "default-src 'none'; script-src 'unsafe-inline'; "
                            + "style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:")
                    .end(page);
        } else if (path.equals(PATH + "/status.json")) {
            status().onComplete(done -> {
                if (done.failed()) {
                    request.response().setStatusCode(500).putHeader("Content-Type", "text/plain")
                            .end("status unavailable: " + done.cause().getMessage());
                    return;
                }
                request.response().putHeader("Content-Type", "application/json").putHeader("Cache-Control", "no-store")
                        .end(done.result().toString());
            });
        } else {
            request.response().setStatusCode(404).putHeader("Content-Type", "text/plain").end("no such page");
        }
    }

    /** What the page shows; the cluster is read on a worker (Hazelcast calls may block). */
    Future<ObjectNode> status() {
        Future<ObjectNode> cluster = vertx.executeBlocking(this::cluster, false);
        Future<Optional<byte[]>> gc = lastGc.get().recover(failure -> Future.succeededFuture(Optional.empty()));
        return Future.all(cluster, gc).map(both -> {
            ObjectNode out = JSON.createObjectNode();
            out.put("version", version);
            out.put("startedAt", started.toString());
            out.put("uptimeSeconds", Duration.between(started, Instant.now()).toSeconds());
            out.set("cluster", cluster.result());
            long now = System.currentTimeMillis();
            Traffic.Totals totals = traffic.totals();
            history.sample(now, totals, traffic.fillsInFlight());
            out.set("traffic", traffic(totals));
            out.set("lastHour", history.series(now));
            MetricSnapshots snapshots = traffic.registry().scrape(name -> name.startsWith("fleetmirror_stale_serves"));
            ArrayNode top = out.putArray("topRepositories");
            traffic.mostPulled(TOP).forEach(e -> top.addObject().put("repository", e.repository()).put("pulls", e.pulls()));
            ArrayNode upstreams = out.putArray("upstreams");
            traffic.upstreams().forEach(h -> {
                ObjectNode u = upstreams.addObject().put("name", h.upstream()).put("healthy", h.healthy())
                        .put("at", h.at().toString())
                        .put("staleServes", (long) Traffic.sum(snapshots, "fleetmirror_stale_serves", Map.of("upstream", h.upstream())));
                h.status().ifPresentOrElse(s -> u.put("lastStatus", s), () -> u.putNull("lastStatus"));
                ArrayNode urls = u.putArray("urls");
                traffic.upstreamUrls().stream().filter(url -> url.upstream().equals(h.upstream()))
                        .forEach(url -> url.describe(urls.addObject()));
            });
            out.set("lastGc", gc.result().map(StatusPage::gcSummary).orElse(null));
            return out;
        });
    }

    private ObjectNode cluster() {
        ClusterView view = coordination.view();
        ObjectNode out = JSON.createObjectNode();
        out.put("name", view.name());
        out.put("mode", coordination.mode().current().name());
        out.put("quorum", view.quorum());
        ArrayNode members = out.putArray("members");
        view.members().forEach(m -> members.addObject().put("address", m.address()).put("local", m.local()));
        return out;
    }

    private static ObjectNode traffic(Traffic.Totals totals) {
        ObjectNode out = JSON.createObjectNode();
        out.put("requests", totals.requests());
        out.put("cacheHits", totals.hits());
        out.put("cacheMisses", totals.misses());
        out.put("staleServes", totals.stale());
        if (totals.lookups() > 0) {
            out.put("hitRatio", (double) (totals.hits() + totals.stale()) / totals.lookups());
        } else {
            out.putNull("hitRatio");
        }
        out.put("bytesServed", totals.bytesServed());
        out.put("pulledBytesServed", totals.pulledBytesServed());
        out.put("mirroredBytesServed", totals.mirroredBytesServed());
        out.put("upstreamBytes", totals.upstreamBytes());
        out.put("upstreamBytesSaved", totals.upstreamBytesSaved());
        return out;
    }

    private static ObjectNode gcSummary(byte[] report) {
        try {
            JsonNode json = JSON.readTree(report);
            ObjectNode out = JSON.createObjectNode();
            // The online run's shape: a long mark while read-write, a short window, the writes it held.
            for (String field : new String[] {"outcome", "trigger", "started", "finished", "durationMillis",
                    "markMillis", "readOnlyMillis", "windowMillis", "writesHeld", "writesHeldRefused", "longestHoldMillis",
                    "error", "blobsDeleted", "bytesFreed", "manifestsDeleted"}) {
                if (json.has(field)) {
                    out.set(field, json.get(field));
                }
            }
            return out;
        } catch (IOException e) {
            return JSON.createObjectNode().put("error", "the last report is not readable JSON");
        }
    }
}
