package dev.fleetmirror.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.node.FleetMirrorNode;
import dev.fleetmirror.node.testing.DistributionProcess;
import dev.fleetmirror.node.testing.FillsInFlight;
import dev.fleetmirror.node.testing.RegistryHttpClient;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node's own figures checked against the other side: a real docker-registry upstream whose
 * access log counts what it was asked. Blob GETs arrive concurrently (40 for one uncached blob, 2 ms
 * apart, and the image's other blobs beside them), then warm. Every blob GET is exactly one hit or
 * one miss; the upstream requests and bytes the node counts are the ones the upstream saw; each
 * blob was fetched once.
 */
class MetricsAddUpTest {
    @TempDir
    Path work;

    @Test
    void hitsMissesUpstreamRequestsAndBytesAddUpWithTheUpstreamsAccessLog() throws Exception {
        assumeTrue(DistributionProcess.available(), DistributionProcess.absentReason());
        TestImage image = TestImage.random(77, 400_000, 30_000, 20_000, 10_000);
        try (DistributionProcess upstream = MirrorFixture.upstream(work, "upstream", "")) {
            image.push(upstream.baseUri(), "team/app", "1");
            int upstreamBefore = upstreamRequests(upstream);
            FleetMirrorNode mirror = MirrorFixture.node(work.resolve("mirror"), work.resolve("spool"), Duration.ofHours(1),
                    MirrorFixture.catchAll(upstream.baseUri()));
            try {
                URI uri = MirrorFixture.uri(mirror);
                Digest hot = image.blobDigests().get(1);
                List<CompletableFuture<RegistryHttpClient.Response>> gets = new ArrayList<>();
                ScheduledExecutorService spacing = Executors.newScheduledThreadPool(16);
                try {
                    for (int i = 0; i < 40; i++) {
                        gets.add(get(spacing, uri, hot, i * 2L));
                    }
                    for (Digest other : image.blobDigests()) {
                        gets.add(get(spacing, uri, other, 5));
                    }
                    for (CompletableFuture<RegistryHttpClient.Response> get : gets) {
                        RegistryHttpClient.Response answer = get.get(60, TimeUnit.SECONDS);
                        assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
                        assertThat(answer.body()).isEqualTo(image.blob(Digest.parse(answer.headerOrEmpty("Docker-Content-Digest"))));
                    }
                    FillsInFlight.awaitNone(uri);
                    // Warm: every blob once more.
                    for (Digest digest : image.blobDigests()) {
                        assertThat(get(spacing, uri, digest, 0).get(60, TimeUnit.SECONDS).status()).isEqualTo(200);
                    }
                } finally {
                    spacing.shutdownNow();
                }
                int blobGets = 40 + 2 * image.blobDigests().size();

                String metrics = new RegistryHttpClient(uri).call("GET", "/metrics").send().text();
                double hits = value(metrics, "fleetmirror_cache_requests_total{kind=\"blob\",result=\"hit\"}");
                double misses = value(metrics, "fleetmirror_cache_requests_total{kind=\"blob\",result=\"miss\"}");
                assertThat(hits + misses).as("every blob GET is a hit or a miss").isEqualTo(blobGets);
                assertThat(value(metrics, "fleetmirror_http_requests_total{code=\"200\",method=\"GET\",route=\"blob\"}"))
                        .isEqualTo(blobGets);
                assertThat(hits).as("the warm round hits").isGreaterThanOrEqualTo(image.blobDigests().size());
                for (Digest digest : image.blobDigests()) {
                    assertThat(MirrorFixture.blobGets(upstream, "team/app", digest)).as("upstream GETs of " + digest).isEqualTo(1);
                }
                double counted = value(metrics, "fleetmirror_upstream_requests_total{code=\"200\",upstream=\"upstream\"}")
                        + valueOrZero(metrics, "fleetmirror_upstream_requests_total{code=\"404\",upstream=\"upstream\"}");
                // The upstream writes its access log as it answers; wait for the line of the last answer.
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(counted)
                        .as("upstream requests the node counted against the upstream's access log")
                        .isEqualTo(upstreamRequests(upstream) - upstreamBefore));
                long imageBytes = Arrays.stream(image.layers().toArray(new byte[0][])).mapToLong(l -> l.length).sum()
                        + image.config().length;
                assertThat(value(metrics, "fleetmirror_upstream_bytes_total{upstream=\"upstream\"}"))
                        .as("bytes fetched upstream: each blob once").isEqualTo(imageBytes);
            } finally {
                MirrorFixture.stop(mirror);
            }
        }
    }

    private static CompletableFuture<RegistryHttpClient.Response> get(ScheduledExecutorService executor, URI mirror,
                                                                      Digest digest, long delayMs) {
        CompletableFuture<RegistryHttpClient.Response> answer = new CompletableFuture<>();
        executor.schedule(() -> {
            try {
                answer.complete(new RegistryHttpClient(mirror).call("GET", "/v2/team/app/blobs/" + digest).send());
            } catch (RuntimeException e) {
                answer.completeExceptionally(e);
            }
        }, delayMs, TimeUnit.MILLISECONDS);
        return answer;
    }

    /** Requests of the registry API in the upstream's access log. */
    private static int upstreamRequests(DistributionProcess upstream) {
        Matcher m = Pattern.compile("\"(GET|HEAD|PUT|POST|PATCH|DELETE) /v2/[^ ]* HTTP/1\\.1\" ").matcher(upstream.logText());
        int count = 0;
        while (m.find()) {
            count++;
        }
        return count;
    }

    private static double value(String metrics, String series) {
        Matcher m = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE).matcher(metrics);
        assertThat(m.find()).as("%s in\n%s", series, metrics).isTrue();
        return Double.parseDouble(m.group(1));
    }

    private static double valueOrZero(String metrics, String series) {
        Matcher m = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE).matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
