package dev.fleetmirror.node.metrics;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.IntSupplier;

/**
 * What a node serves and what it fetches, as Prometheus metrics: requests by route, method and
 * status, bytes served, cache hits and misses, upstream requests and bytes per upstream, waits on
 * fills and stale serves. Labels are bounded (routes, methods, status codes, upstream names; never
 * a repository or digest), and the data points of the hot paths are resolved once.
 */
public final class Traffic {
    /** What a cache lookup was for. */
    public enum Kind { MANIFEST, TAG, BLOB }

    /** How a cache lookup ended: served from storage, fetched upstream, or served unchecked while the upstream failed. */
    public enum Result { HIT, MISS, STALE }

    /** Repositories counted for the status page's most pulled. */
    private static final int TOP_REPOSITORIES = 500;

    private final Counter requests;
    private final Histogram duration;
    private final Counter responseBytes;
    private final CounterDataPoint mirroredBytes;
    private final Counter upstreamRequests;
    private final Counter upstreamBytes;
    private final Counter staleServes;
    private final CounterDataPoint fillWaits;
    private final CounterDataPoint[][] cache = new CounterDataPoint[Kind.values().length][Result.values().length];
    private final ConcurrentMap<String, RoutePoints> routes = new ConcurrentHashMap<>();
    private final PrometheusRegistry registry;
    private final TopRepositories pulled = new TopRepositories(TOP_REPOSITORIES);
    private final ConcurrentMap<String, UpstreamHealth> upstreams = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, UpstreamUrlHealth> upstreamUrls = new ConcurrentHashMap<>();
    /** The order URLs were first seen in: an upstream's URLs are listed in the order it tries them. */
    private final ConcurrentMap<String, Integer> upstreamUrlOrder = new ConcurrentHashMap<>();
    private final Counter upstreamUrlRequests;
    private final Counter upstreamUrlFailures;
    private volatile IntSupplier fills = () -> 0;

    /**
     * The counters summed over their labels, as the status page shows them. {@code mirroredBytesServed}
     * counts manifests and blobs of mirrored repositories only: bytes served from hosted ones never
     * crossed an upstream link, so they save nothing.
     */
    public record Totals(long requests, long hits, long misses, long stale, long bytesServed, long pulledBytesServed,
                         long mirroredBytesServed, long upstreamBytes) {
        public static final Totals ZERO = new Totals(0, 0, 0, 0, 0, 0, 0, 0);

        /** Cache lookups of mirrored content, whatever their result. */
        public long lookups() {
            return hits + misses + stale;
        }

        public long upstreamBytesSaved() {
            return Math.max(0, mirroredBytesServed - upstreamBytes);
        }

        Totals minus(Totals earlier) {
            return new Totals(requests - earlier.requests, hits - earlier.hits, misses - earlier.misses,
                    stale - earlier.stale, bytesServed - earlier.bytesServed, pulledBytesServed - earlier.pulledBytesServed,
                    mirroredBytesServed - earlier.mirroredBytesServed, upstreamBytes - earlier.upstreamBytes);
        }
    }

    public Traffic(PrometheusRegistry registry) {
        this.registry = registry;
        requests = Counter.builder().name("fleetmirror_http_requests_total")
                .help("Requests answered, by route, method and status code").labelNames("route", "method", "code")
                .withoutExemplars().register(registry);
        duration = Histogram.builder().name("fleetmirror_http_request_duration_seconds")
                .help("Time from a request's arrival to the end of its response, by route").labelNames("route")
                .classicOnly().classicUpperBounds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
                        30, 60, 300)
                .withoutExemplars().register(registry);
        responseBytes = Counter.builder().name("fleetmirror_http_response_bytes_total")
                .help("Response body bytes sent, by route").labelNames("route").withoutExemplars().register(registry);
        mirroredBytes = Counter.builder().name("fleetmirror_mirrored_bytes_served_total")
                .help("Manifest and blob body bytes sent from mirrored repositories (cache hits and fills alike)")
                .withoutExemplars().register(registry).labelValues();
        Counter lookups = Counter.builder().name("fleetmirror_cache_requests_total")
                .help("Lookups of mirrored content: hit (from storage), miss (fetched upstream), stale (cached copy served"
                        + " while the upstream failed)")
                .labelNames("kind", "result").withoutExemplars().register(registry);
        for (Kind kind : Kind.values()) {
            for (Result result : Result.values()) {
                cache[kind.ordinal()][result.ordinal()] = lookups.labelValues(lower(kind), lower(result));
            }
        }
        upstreamRequests = Counter.builder().name("fleetmirror_upstream_requests_total")
                .help("Requests sent to upstreams, by upstream and status code (error: no answer)")
                .labelNames("upstream", "code").withoutExemplars().register(registry);
        upstreamBytes = Counter.builder().name("fleetmirror_upstream_bytes_total")
                .help("Manifest and blob bytes received from upstreams").labelNames("upstream").withoutExemplars()
                .register(registry);
        upstreamUrlRequests = Counter.builder().name("fleetmirror_upstream_url_requests_total")
                .help("Requests sent to each URL of an upstream (urls:), by status code (error: no answer)")
                .labelNames("upstream", "url", "code").withoutExemplars().register(registry);
        upstreamUrlFailures = Counter.builder().name("fleetmirror_upstream_url_failures_total")
                .help("Failures that made a node skip an upstream URL for a back-off period, by reason"
                        + " (unreachable, a status code, corrupt: content not matching its digest)")
                .labelNames("upstream", "url", "reason").withoutExemplars().register(registry);
        GaugeWithCallback.builder().name("fleetmirror_upstream_url_up")
                .help("1 while an upstream URL is used, 0 while it is skipped after a failure")
                .labelNames("upstream", "url")
                .callback(callback -> upstreamUrls.values().forEach(h ->
                        callback.call(h.healthy() ? 1 : 0, h.upstream(), h.url())))
                .register(registry);
        staleServes = Counter.builder().name("fleetmirror_stale_serves_total")
                .help("Cached manifests served without re-checking because their upstream failed")
                .labelNames("upstream").withoutExemplars().register(registry);
        fillWaits = Counter.builder().name("fleetmirror_fill_waits_total")
                .help("Blob requests that joined a fill already in flight, on this member or another")
                .withoutExemplars().register(registry).labelValues();
    }

    /** Metrics that nobody scrapes, for code run without a node (tests, tools). */
    public static Traffic unobserved() {
        return new Traffic(new PrometheusRegistry());
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    /** Reports the number of fills in flight on this member when scraped. */
    public void fillsInFlight(IntSupplier count) {
        fills = count;
        GaugeWithCallback.builder().name("fleetmirror_fills_in_flight").help("Blob fills in flight on this member")
                .callback(callback -> callback.call(count.getAsInt())).register(registry);
    }

    /** One answered request: {@code route} is a fixed name (an API resource or a node endpoint). */
    public void answered(String route, String method, int status, long bodyBytes, long nanos) {
        RoutePoints points = routes.computeIfAbsent(route, RoutePoints::new);
        points.request(method, status).inc();
        points.bytes.inc(bodyBytes);
        points.duration.observe(nanos / 1e9);
    }

    /** Fills in flight on this member now (0 on a node that mirrors nothing). */
    public int fillsInFlight() {
        return fills.getAsInt();
    }

    /** Body bytes of a manifest or blob of a mirrored repository, sent to a client. */
    public void mirroredServed(long bytes) {
        if (bytes > 0) {
            mirroredBytes.inc(bytes);
        }
    }

    /** The counters as they are now, summed over their labels. */
    public Totals totals() {
        MetricSnapshots snapshots = registry.scrape(name -> name.startsWith("fleetmirror_cache")
                || name.startsWith("fleetmirror_http_re") || name.startsWith("fleetmirror_upstream_bytes")
                || name.startsWith("fleetmirror_mirrored_bytes"));
        return new Totals((long) sum(snapshots, "fleetmirror_http_requests", Map.of()),
                (long) sum(snapshots, "fleetmirror_cache_requests", Map.of("result", "hit")),
                (long) sum(snapshots, "fleetmirror_cache_requests", Map.of("result", "miss")),
                (long) sum(snapshots, "fleetmirror_cache_requests", Map.of("result", "stale")),
                (long) sum(snapshots, "fleetmirror_http_response_bytes", Map.of()),
                (long) (sum(snapshots, "fleetmirror_http_response_bytes", Map.of("route", "blob"))
                        + sum(snapshots, "fleetmirror_http_response_bytes", Map.of("route", "manifest"))),
                (long) sum(snapshots, "fleetmirror_mirrored_bytes_served", Map.of()),
                (long) sum(snapshots, "fleetmirror_upstream_bytes", Map.of()));
    }

    /** The sum of a counter's data points whose labels include {@code labels}. */
    static double sum(MetricSnapshots snapshots, String name, Map<String, String> labels) {
        double total = 0;
        for (MetricSnapshot snapshot : snapshots) {
            if (!(snapshot instanceof CounterSnapshot) || !snapshot.getMetadata().getName().equals(name)) {
                continue;
            }
            for (DataPointSnapshot point : snapshot.getDataPoints()) {
                boolean matches = labels.entrySet().stream()
                        .allMatch(l -> l.getValue().equals(point.getLabels().get(l.getKey())));
                if (matches) {
                    total += ((CounterSnapshot.CounterDataPointSnapshot) point).getValue();
                }
            }
        }
        return total;
    }

    public void cache(Kind kind, Result result) {
        cache[kind.ordinal()][result.ordinal()].inc();
    }

    /** An upstream answered with {@code status}, or did not answer at all ({@code status} 0). */
    public void upstreamRequest(String upstream, int status) {
        upstreamRequests.labelValues(upstream, status == 0 ? "error" : Integer.toString(status)).inc();
        upstreams.put(upstream, new UpstreamHealth(upstream, status, Instant.now()));
    }

    /** One URL of an upstream answered with {@code status}, or did not answer at all ({@code status} 0). */
    public void upstreamUrlRequest(String upstream, String url, int status) {
        upstreamUrlRequests.labelValues(upstream, url, status == 0 ? "error" : Integer.toString(status)).inc();
    }

    /** One URL of an upstream failed and is skipped for a while. */
    public void upstreamUrlFailure(String upstream, String url, String reason) {
        upstreamUrlFailures.labelValues(upstream, url, reason).inc();
    }

    /** The state of one URL of an upstream changed. */
    public void upstreamUrl(UpstreamUrlHealth health) {
        String key = health.upstream() + " " + health.url();
        upstreamUrlOrder.computeIfAbsent(key, k -> upstreamUrlOrder.size());
        upstreamUrls.put(key, health);
    }

    /** Each upstream URL this node knows, by upstream (in name order), then in the order they were first seen. */
    public List<UpstreamUrlHealth> upstreamUrls() {
        return upstreamUrls.values().stream().sorted(Comparator.comparing(UpstreamUrlHealth::upstream)
                .thenComparing(h -> upstreamUrlOrder.getOrDefault(h.upstream() + " " + h.url(), 0))).toList();
    }

    /** A manifest of {@code repository} was pulled (a GET answered 200). */
    public void pulled(String repository) {
        pulled.pulled(repository);
    }

    public List<TopRepositories.Entry> mostPulled(int n) {
        return pulled.top(n);
    }

    /** Each upstream this node asked since it started, with its last answer. */
    public List<UpstreamHealth> upstreams() {
        return upstreams.values().stream().sorted(Comparator.comparing(UpstreamHealth::upstream)).toList();
    }

    public void upstreamBytes(String upstream, long bytes) {
        if (bytes > 0) {
            upstreamBytes.labelValues(upstream).inc(bytes);
        }
    }

    public void stale(String upstream) {
        staleServes.labelValues(upstream).inc();
    }

    public void fillWait() {
        fillWaits.inc();
    }

    private static String lower(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }

    /** The data points of one route, resolved once; method and status pairs are few. */
    private final class RoutePoints {
        private final String route;
        private final CounterDataPoint bytes;
        private final io.prometheus.metrics.core.datapoints.DistributionDataPoint duration;
        private final ConcurrentMap<String, CounterDataPoint[]> byMethod = new ConcurrentHashMap<>();

        RoutePoints(String route) {
            this.route = route;
            this.bytes = responseBytes.labelValues(route);
            this.duration = Traffic.this.duration.labelValues(route);
        }

        CounterDataPoint request(String method, int status) {
            CounterDataPoint[] statuses = byMethod.computeIfAbsent(method, m -> new CounterDataPoint[600]);
            int index = status >= 100 && status < 600 ? status : 0;
            CounterDataPoint point = statuses[index];
            if (point == null) {
                // Racing threads resolve the same data point: the registry hands out one per label set.
                point = requests.labelValues(route, method, Integer.toString(status));
                statuses[index] = point;
            }
            return point;
        }
    }
}
