package dev.fleetmirror.node.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fleetmirror.node.FleetMirrorNode;
import dev.fleetmirror.node.config.HttpConfig;
import dev.fleetmirror.node.config.NodeConfig;
import dev.fleetmirror.node.config.ProxyConfig;
import dev.fleetmirror.node.config.StorageBackend;
import dev.fleetmirror.node.config.StorageConfig;
import dev.fleetmirror.node.config.UpstreamConfig;
import dev.fleetmirror.node.proxy.TestImage;
import dev.fleetmirror.node.testing.FillsInFlight;
import dev.fleetmirror.node.testing.RegistryHttpClient;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status page in a real headless browser (Debian's chromium): after pulls through a mirror, the
 * page's script has filled in the member count, the hit ratio, the traffic saved, the most pulled
 * repository and the upstream's health from status.json. A screenshot is left in
 * {@code node/target/ui-status.png} for a person to look at.
 */
class StatusPageTest {
    private static final Path CHROMIUM = Paths.get("/usr/bin/chromium");

    @TempDir
    Path work;
    private FleetMirrorNode upstream;
    private FleetMirrorNode mirror;

    @BeforeEach
    void start() throws Exception {
        upstream = start(NodeConfig.defaults().withHttp(HttpConfig.loopback(0))
                .withStorage(StorageConfig.of(new StorageBackend.Filesystem(work.resolve("upstream")))));
        UpstreamConfig source = new UpstreamConfig("hub", URI.create("http://127.0.0.1:" + upstream.port()),
                Optional.empty(), Optional.empty(), "hub/", true);
        mirror = start(NodeConfig.defaults().withHttp(HttpConfig.loopback(0))
                .withStorage(StorageConfig.of(new StorageBackend.Filesystem(work.resolve("mirror"))))
                .withProxy(ProxyConfig.none().withUpstreams(List.of(source)).withTagTtl(Duration.ofHours(1))
                        .withSpoolDirectory(work.resolve("spool"))));
    }

    private static FleetMirrorNode start(NodeConfig config) throws Exception {
        return FleetMirrorNode.start(config).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        for (FleetMirrorNode node : new FleetMirrorNode[] {mirror, upstream}) {
            if (node != null) {
                node.close(1).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void statusJsonCountsWhatWasPulled() {
        pullTwice();
        JsonNode status = new RegistryHttpClient(uri()).call("GET", "/ui/status.json").send().json();
        assertThat(status.path("cluster").path("members")).hasSize(1);
        assertThat(status.path("cluster").path("mode").asText()).isEqualTo("READ_WRITE");
        JsonNode traffic = status.path("traffic");
        // Cold: tag and three blobs missed; warm: tag and three blobs hit.
        assertThat(traffic.path("cacheMisses").asLong()).isEqualTo(4);
        assertThat(traffic.path("cacheHits").asLong()).isEqualTo(4);
        assertThat(traffic.path("hitRatio").asDouble()).isEqualTo(0.5);
        assertThat(traffic.path("upstreamBytesSaved").asLong())
                .isEqualTo(traffic.path("mirroredBytesServed").asLong() - traffic.path("upstreamBytes").asLong())
                .isGreaterThan(250_000);
        assertThat(status.path("topRepositories").get(0).path("repository").asText()).isEqualTo("hub/team/app");
        assertThat(status.path("topRepositories").get(0).path("pulls").asLong()).isEqualTo(2);
        assertThat(status.path("upstreams").get(0).path("name").asText()).isEqualTo("hub");
        assertThat(status.path("upstreams").get(0).path("healthy").asBoolean()).isTrue();
        assertThat(status.path("lastGc").isNull()).isTrue();
    }

    @Test
    void bytesServedFromHostedRepositoriesSaveNoUpstreamTraffic() {
        pullTwice();
        JsonNode before = status().path("traffic");
        TestImage hosted = TestImage.random(23, 300_000);
        hosted.push(uri(), "local/app", "1");
        RegistryHttpClient client = new RegistryHttpClient(uri());
        assertThat(client.call("GET", "/v2/local/app/manifests/1")
                .header("Accept", "application/vnd.oci.image.manifest.v1+json").send().status()).isEqualTo(200);
        hosted.blobDigests().forEach(digest -> assertThat(client.call("GET", "/v2/local/app/blobs/" + digest)
                .send().status()).isEqualTo(200));

        JsonNode after = status().path("traffic");
        assertThat(after.path("pulledBytesServed").asLong())
                .isGreaterThan(before.path("pulledBytesServed").asLong() + 300_000);
        assertThat(after.path("mirroredBytesServed").asLong()).isEqualTo(before.path("mirroredBytesServed").asLong());
        assertThat(after.path("upstreamBytesSaved").asLong()).isEqualTo(before.path("upstreamBytesSaved").asLong());
        // The mirrored pulls alone: the second pull's bytes, and the first's over what the upstream sent.
        assertThat(before.path("mirroredBytesServed").asLong()).isGreaterThan(2 * 300_000);
    }

    @Test
    void theLastHourIsCountedPerMinute() {
        pullTwice();
        JsonNode status = status();
        JsonNode hour = status.path("lastHour");
        for (String series : new String[] {"requests", "hitRatio", "mirroredBytesServed", "upstreamBytes", "fillsInFlight"}) {
            assertThat(hour.path(series)).as(series).hasSize(60);
        }
        // The node started within the hour: its minutes add up to its counters.
        assertThat(sum(hour.path("mirroredBytesServed"))).isEqualTo(status.path("traffic").path("mirroredBytesServed").asLong());
        assertThat(sum(hour.path("upstreamBytes"))).isEqualTo(status.path("traffic").path("upstreamBytes").asLong());
        assertThat(sum(hour.path("requests"))).isGreaterThanOrEqualTo(8);
        assertThat(hour.path("hitRatio").get(0).isNull()).as("a minute before the node started").isTrue();
    }

    @Test
    void aBrowserAskingForTheRootIsSentToThePage() throws IOException {
        java.net.HttpURLConnection root = (java.net.HttpURLConnection) uri().resolve("/").toURL().openConnection();
        root.setInstanceFollowRedirects(false);
        assertThat(root.getResponseCode()).isEqualTo(302);
        assertThat(root.getHeaderField("Location")).isEqualTo("/ui/");
        root.disconnect();
        assertThat(new RegistryHttpClient(uri()).call("GET", "/").send().text()).contains("<title>Fleet Mirror status</title>");
        assertThat(new RegistryHttpClient(uri()).call("GET", "/v2/").send().status()).isEqualTo(200);
        assertThat(new RegistryHttpClient(uri()).call("GET", "/ui/nothing").send().status()).isEqualTo(404);
    }

    @Test
    void theScriptFillsThePageInAHeadlessBrowser() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM),
                "Debian's chromium is not installed (apt-get install chromium): the page is not rendered");
        pullTwice();
        String dom = chromium("--dump-dom", uri() + "/ui/");
        assertThat(dom).contains("data-loaded=\"true\"");
        assertThat(text(dom, "members")).isEqualTo("1");
        assertThat(text(dom, "hit-ratio")).isEqualTo("50.0 %");
        assertThat(text(dom, "mode")).isEqualTo("read-write");
        assertThat(dom).contains("<td>hub/team/app</td><td class=\"num\">2</td>");
        assertThat(dom).contains("healthy");
        assertThat(dom).contains("no collection has run");

        // The charts are drawn from the minutes status.json reports (sums and ratios: a minute may turn meanwhile).
        JsonNode status = status();
        JsonNode hour = status.path("lastHour");
        assertThat(chart(dom, "served")).hasSize(60);
        assertThat(sum(chart(dom, "served"))).isEqualTo(status.path("traffic").path("mirroredBytesServed").asLong())
                .isGreaterThan(250_000);
        assertThat(sum(chart(dom, "upstream"))).isEqualTo(status.path("traffic").path("upstreamBytes").asLong())
                .isPositive();
        assertThat(nonEmpty(chart(dom, "ratio"))).isNotEmpty().isEqualTo(nonEmpty(values(hour.path("hitRatio"))))
                .allSatisfy(ratio -> assertThat(Double.parseDouble(ratio)).isBetween(0.0, 1.0));
        assertThat(sum(chart(dom, "requests"))).isGreaterThanOrEqualTo(8);
        assertThat(chart(dom, "fills")).hasSize(60);
        assertThat(dom.split("<rect ", -1).length - 1).as("bars drawn").isGreaterThanOrEqualTo(4);

        Path screenshot = Paths.get("target", "ui-status.png").toAbsolutePath();
        Files.deleteIfExists(screenshot);
        chromium("--screenshot=" + screenshot, "--window-size=1280,860", uri() + "/ui/");
        assertThat(screenshot).exists();
        assertThat(Files.size(screenshot)).isGreaterThan(10_000);
        // The narrow layout too (charts two by two), beside it.
        Path narrow = Paths.get("target", "ui-status-narrow.png").toAbsolutePath();
        Files.deleteIfExists(narrow);
        chromium("--screenshot=" + narrow, "--window-size=860,1400", uri() + "/ui/");
        assertThat(Files.size(narrow)).isGreaterThan(10_000);
    }

    private void pullTwice() {
        TestImage image = TestImage.random(17, 200_000, 100_000);
        image.push(URI.create("http://127.0.0.1:" + upstream.port()), "team/app", "1");
        for (int i = 0; i < 2; i++) {
            RegistryHttpClient client = new RegistryHttpClient(uri());
            assertThat(client.call("GET", "/v2/hub/team/app/manifests/1")
                    .header("Accept", "application/vnd.oci.image.manifest.v1+json").send().status()).isEqualTo(200);
            image.blobDigests().forEach(digest -> assertThat(client.call("GET", "/v2/hub/team/app/blobs/" + digest)
                    .send().status()).isEqualTo(200));
            // The second pull counts hits only once the first one's fills are stored.
            FillsInFlight.awaitNone(uri());
        }
    }

    private JsonNode status() {
        return new RegistryHttpClient(uri()).call("GET", "/ui/status.json").send().json();
    }

    private static long sum(JsonNode series) {
        long total = 0;
        for (JsonNode value : series) {
            total += value.asLong();
        }
        return total;
    }

    /** A series as the page writes it: numbers as JavaScript prints them, empty for a minute without data. */
    private static List<String> values(JsonNode series) {
        List<String> out = new ArrayList<>();
        series.forEach(v -> out.add(v.isNull() ? "" : v.isIntegralNumber() ? Long.toString(v.asLong()) : jsNumber(v.asDouble())));
        return out;
    }

    private static String jsNumber(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }

    private static long sum(List<String> values) {
        return nonEmpty(values).stream().mapToLong(Long::parseLong).sum();
    }

    private static List<String> nonEmpty(List<String> values) {
        return values.stream().filter(v -> !v.isEmpty()).toList();
    }

    /** The values a chart's series was drawn from (its group's data-values). */
    private static List<String> chart(String dom, String series) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("data-name=\"" + series + "\" data-values=\"([^\"]*)\"")
                .matcher(dom);
        assertThat(m.find()).as("series %s in\n%s", series, dom).isTrue();
        return List.of(m.group(1).split(",", -1));
    }

    private URI uri() {
        return URI.create("http://127.0.0.1:" + mirror.port());
    }

    /** The text of the element with {@code id} in a dumped DOM (no nested elements expected). */
    private static String text(String dom, String id) {
        int at = dom.indexOf("id=\"" + id + "\"");
        assertThat(at).as("element #%s in\n%s", id, dom).isGreaterThanOrEqualTo(0);
        int start = dom.indexOf('>', at) + 1;
        return dom.substring(start, dom.indexOf('<', start));
    }

    /** Runs headless chromium on loopback only, with a fresh profile, and returns what it printed. */
    private String chromium(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--hide-scrollbars", "--user-data-dir=" + Files.createTempDirectory(work, "chromium"),
                "--virtual-time-budget=5000"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectError(work.resolve("chromium.err").toFile()).start();
        try {
            byte[] out = process.getInputStream().readAllBytes();
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("chromium finished").isTrue();
            assertThat(process.exitValue()).as("chromium's exit, stderr:\n%s",
                    Files.readString(work.resolve("chromium.err"))).isZero();
            return new String(out, StandardCharsets.UTF_8);
        } finally {
            // Chromium's renderer and helper processes too, by their own ids.
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }
}
