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
                .isEqualTo(traffic.path("pulledBytesServed").asLong() - traffic.path("upstreamBytes").asLong())
                .isGreaterThan(250_000);
        assertThat(status.path("topRepositories").get(0).path("repository").asText()).isEqualTo("hub/team/app");
        assertThat(status.path("topRepositories").get(0).path("pulls").asLong()).isEqualTo(2);
        assertThat(status.path("upstreams").get(0).path("name").asText()).isEqualTo("hub");
        assertThat(status.path("upstreams").get(0).path("healthy").asBoolean()).isTrue();
        assertThat(status.path("lastGc").isNull()).isTrue();
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

        Path screenshot = Paths.get("target", "ui-status.png").toAbsolutePath();
        Files.deleteIfExists(screenshot);
        chromium("--screenshot=" + screenshot, "--window-size=1280,860", uri() + "/ui/");
        assertThat(screenshot).exists();
        assertThat(Files.size(screenshot)).isGreaterThan(10_000);
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
