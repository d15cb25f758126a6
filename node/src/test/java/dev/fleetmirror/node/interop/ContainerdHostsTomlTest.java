package dev.fleetmirror.node.interop;

import static dev.fleetmirror.node.interop.ReadmeBlocks.MIRROR;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.testing.LocalProcesses;
import dev.fleetmirror.node.FleetMirrorNode;
import dev.fleetmirror.node.config.ConfigLoader;
import dev.fleetmirror.node.config.HttpConfig;
import dev.fleetmirror.node.config.NodeConfig;
import dev.fleetmirror.node.config.StorageBackend;
import dev.fleetmirror.node.config.StorageConfig;
import dev.fleetmirror.node.metrics.AccessLog;
import dev.fleetmirror.node.testing.CapturedLogs;
import dev.fleetmirror.node.testing.ContainerdProcess;
import dev.fleetmirror.node.testing.DistributionProcess;
import dev.fleetmirror.node.testing.FillsInFlight;
import dev.fleetmirror.node.testing.RegistryHttpClient;
import dev.fleetmirror.node.testing.Skopeo;
import dev.fleetmirror.node.testing.SyntheticImages;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * README.md's containerd set-up ("containerd: hosts.toml") run with real containerd: Debian's
 * containerd runs as a process of this test (root, state and socket in the test's directory), and
 * {@code ctr images pull --hosts-dir} reads the README's own {@code hosts.toml} block from
 * {@code <dir>/docker.io/}, with the mirror host replaced by a node that runs the README's node
 * configuration (its {@code docker.io} upstream pointed at a local Distribution registry holding
 * {@code library/fm-ctr:1.0}). The block's {@code server} is replaced by a loopback port nothing
 * listens on, so the pull succeeds only if the mirror served all of it.
 */
class ContainerdHostsTomlTest {
    private static final String DOCKER_HUB = "https://registry-1.docker.io";
    private static final String REPOSITORY = "library/fm-ctr";
    private static final String TAG = "1.0";
    private static final Pattern REQUEST_URL = Pattern.compile("url=\"([^\"]+)\"");

    @TempDir
    Path work;
    @RegisterExtension
    final CapturedLogs accessLog = new CapturedLogs(AccessLog.LOGGER, Level.INFO);

    private DistributionProcess upstream;
    private FleetMirrorNode node;
    private ContainerdProcess containerd;
    private Path source;
    private Digest manifest;

    @BeforeEach
    void upstreamHoldsTheImage() {
        assumeTrue(ContainerdProcess.available(), ContainerdProcess.absentReason());
        assumeTrue(ContainerdProcess.canStart(), ContainerdProcess.cannotStartReason());
        assumeTrue(DistributionProcess.available(), DistributionProcess.absentReason());
        assumeTrue(Skopeo.available(), Skopeo.absentReason());
        upstream = DistributionProcess.start(work.resolve("upstream"), work.resolve("upstream-storage"), true, "");
        source = work.resolve("source");
        // ctr unpacks the image for its own platform: mkimage's layers are real gzip'd tars.
        manifest = Digest.parse(new SyntheticImages(source).image(TAG, 43, hostArchitecture(), 0.3, 0.1));
        Skopeo.copy("oci:" + source + ":" + TAG, "docker://" + upstream.hostAndPort() + "/" + REPOSITORY + ":" + TAG, false);
    }

    @AfterEach
    void stop() throws Exception {
        if (containerd != null) {
            containerd.close();
        }
        if (node != null) {
            node.close(1).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    @Test
    void ctrWithTheReadmeHostsTomlPullsADockerHubImageFromTheMirrorByNs() throws Exception {
        startNode();
        String mirror = "127.0.0.1:" + node.port();
        String refused = "127.0.0.1:" + LocalProcesses.freeLoopbackPort();
        String readme = ReadmeBlocks.block("hosts.toml");
        assertThat(readme).contains("server = \"" + DOCKER_HUB + "\"");
        Path hostsDir = work.resolve("certs.d");
        Files.createDirectories(hostsDir.resolve("docker.io"));
        Files.writeString(hostsDir.resolve("docker.io/hosts.toml"),
                readme.replace(MIRROR, mirror).replace(DOCKER_HUB, "http://" + refused));
        containerd = ContainerdProcess.start(work.resolve("containerd"));

        ContainerdProcess.Ctr pull = containerd.ctr("--debug", "images", "pull", "--snapshotter", "native",
                "--hosts-dir", hostsDir.toString(), "docker.io/" + REPOSITORY + ":" + TAG);

        assertThat(pull.exitCode()).as(pull.toString()).isZero();
        // What ctr asked for, from its debug log: every request went to the mirror, with ?ns=docker.io.
        List<URI> requests = requestUrls(pull.output());
        assertThat(requests).as(pull.toString()).isNotEmpty();
        assertThat(requests).allSatisfy(url -> {
            assertThat(url.getAuthority()).isEqualTo(mirror);
            assertThat(url.getPath()).startsWith("/v2/" + REPOSITORY + "/");
            assertThat(url.getQuery()).isEqualTo("ns=docker.io");
        });
        assertThat(pull.output()).as("nothing was asked of the hosts.toml server").doesNotContain(refused);

        // What containerd stored: the image, and every blob of it.
        ContainerdProcess.Ctr content = containerd.ctr("content", "ls", "--quiet");
        assertThat(content.exitCode()).as(content.toString()).isZero();
        List<Digest> digests = imageDigests();
        assertThat(content.output().lines().map(String::strip).toList())
                .containsAll(digests.stream().map(Digest::toString).toList());
        ContainerdProcess.Ctr images = containerd.ctr("images", "ls");
        assertThat(images.output()).as(images.toString())
                .containsPattern("docker\\.io/" + Pattern.quote(REPOSITORY + ":" + TAG) + "\\s+\\S+\\s+" + Pattern.quote(manifest.toString()));

        // What the node answered: the tag and every blob to containerd, filled from its docker.io upstream.
        FillsInFlight.awaitNone(nodeUri());
        List<String> lines = accessLines(digests.size() + 1);
        assertThat(lines).anySatisfy(line -> assertThat(line).contains("\"HEAD /v2/" + REPOSITORY + "/manifests/" + TAG + " ")
                .contains("\" 200 "));
        for (Digest digest : digests) {
            String kind = digest.equals(manifest) ? "/manifests/" : "/blobs/";
            assertThat(lines).as(digest.toString()).anySatisfy(line ->
                    assertThat(line).contains("\"GET /v2/" + REPOSITORY + kind + digest + " ").contains("\" 200 "));
        }
        String metrics = new RegistryHttpClient(nodeUri()).call("GET", "/metrics").send().text();
        long blobBytes = 0;
        for (Digest digest : digests.subList(1, digests.size())) {
            blobBytes += Files.size(source.resolve("blobs/sha256/" + digest.hex()));
        }
        assertThat(value(metrics, "fleetmirror_cache_requests_total{kind=\"blob\",result=\"miss\"}"))
                .as("config and layers filled on the way to containerd").isEqualTo(digests.size() - 1);
        assertThat(value(metrics, "fleetmirror_http_response_bytes_total{route=\"blob\"}")).isEqualTo(blobBytes);
        assertThat(value(metrics, "fleetmirror_upstream_requests_total{code=\"200\",upstream=\"docker.io\"}")).isPositive();
        assertThat(work.resolve("node-storage/docker/registry/v2/repositories/docker.io/" + REPOSITORY + "/_manifests"))
                .as("?ns=docker.io is cached under the docker.io/ prefix").isDirectory();
        // Without ns the same name is a hosted one the node does not hold: ns is what routed the pull.
        assertThat(new RegistryHttpClient(nodeUri()).call("HEAD", "/v2/" + REPOSITORY + "/manifests/" + TAG).send().status())
                .isEqualTo(404);
    }

    /** A node on the README's node configuration, Docker Hub's URL replaced by the local upstream. */
    private void startNode() throws Exception {
        String yaml = ReadmeBlocks.block("node-config");
        assertThat(yaml).contains(DOCKER_HUB);
        NodeConfig readme = ConfigLoader.fromYaml(yaml.replace(DOCKER_HUB, upstream.baseUri().toString()), Map.of());
        NodeConfig config = NodeConfig.defaults()
                .withHttp(HttpConfig.loopback(0))
                .withStorage(StorageConfig.of(new StorageBackend.Filesystem(work.resolve("node-storage"))))
                .withProxy(readme.proxy().withSpoolDirectory(work.resolve("spool")));
        node = FleetMirrorNode.start(config).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private URI nodeUri() {
        return URI.create("http://127.0.0.1:" + node.port());
    }

    /** The image's manifest first, then its config and layers. */
    private List<Digest> imageDigests() throws Exception {
        JsonNode json = new ObjectMapper().readTree(source.resolve("blobs/sha256/" + manifest.hex()).toFile());
        List<Digest> digests = new ArrayList<>(List.of(manifest, Digest.parse(json.path("config").path("digest").asText())));
        json.path("layers").forEach(layer -> digests.add(Digest.parse(layer.path("digest").asText())));
        assertThat(digests).hasSize(4);
        return digests;
    }

    /** The node's access log lines, once at least {@code atLeast} were written (they are written after the response). */
    private List<String> accessLines(int atLeast) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (accessLog.messages().size() < atLeast && System.nanoTime() < deadline) {
            LocalProcesses.pause(Duration.ofMillis(50));
        }
        return List.copyOf(accessLog.messages());
    }

    private static List<URI> requestUrls(String ctrDebugOutput) {
        List<URI> urls = new ArrayList<>();
        Matcher m = REQUEST_URL.matcher(ctrDebugOutput);
        while (m.find()) {
            urls.add(URI.create(m.group(1)));
        }
        return urls;
    }

    private static double value(String metrics, String series) {
        Matcher m = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE).matcher(metrics);
        assertThat(m.find()).as("%s in\n%s", series, metrics).isTrue();
        return Double.parseDouble(m.group(1));
    }

    private static String hostArchitecture() {
        String arch = System.getProperty("os.arch");
        return switch (arch) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            default -> arch;
        };
    }
}
