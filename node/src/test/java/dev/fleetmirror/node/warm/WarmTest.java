package dev.fleetmirror.node.warm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.manifest.MediaTypes;
import dev.fleetmirror.node.FleetMirrorNode;
import dev.fleetmirror.node.admin.WarmAdmin;
import dev.fleetmirror.node.cli.Main;
import dev.fleetmirror.node.config.HttpConfig;
import dev.fleetmirror.node.config.NodeConfig;
import dev.fleetmirror.node.config.ProxyConfig;
import dev.fleetmirror.node.config.StorageBackend;
import dev.fleetmirror.node.config.StorageConfig;
import dev.fleetmirror.node.config.UpstreamConfig;
import dev.fleetmirror.node.proxy.TestImage;
import dev.fleetmirror.node.testing.RegistryHttpClient;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code fleetmirror warm} against a mirror whose upstream (a hosted Fleet Mirror node) holds a
 * two-platform image: the chosen platform's blobs end up in the mirror's storage and the other's do
 * not, a pull afterwards fetches nothing more from upstream, a second warm only finds cached blobs,
 * and a bad image is reported on its own with a non-zero exit while the good one is still warmed.
 */
class WarmTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path work;
    private FleetMirrorNode upstream;
    private FleetMirrorNode mirror;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private TestImage amd64;
    private TestImage arm64;

    @BeforeEach
    void start() throws Exception {
        upstream = start(NodeConfig.defaults().withHttp(HttpConfig.loopback(0))
                .withStorage(StorageConfig.of(new StorageBackend.Filesystem(work.resolve("upstream")))));
        UpstreamConfig source = new UpstreamConfig("hub", uri(upstream), Optional.empty(), Optional.empty(), "hub/", true);
        mirror = start(NodeConfig.defaults().withHttp(HttpConfig.loopback(0))
                .withStorage(StorageConfig.of(new StorageBackend.Filesystem(work.resolve("mirror"))))
                .withProxy(ProxyConfig.none().withUpstreams(List.of(source)).withTagTtl(Duration.ofHours(1))
                        .withSpoolDirectory(work.resolve("spool"))));
        amd64 = TestImage.random(1, 150_000, 90_000);
        arm64 = TestImage.random(2, 160_000, 80_000);
        amd64.push(uri(upstream), "team/app", amd64.digest().toString());
        arm64.push(uri(upstream), "team/app", arm64.digest().toString());
        String index = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\",\"manifests\":["
                + entry(amd64, "amd64") + "," + entry(arm64, "arm64") + "]}";
        RegistryHttpClient.Response put = new RegistryHttpClient(uri(upstream)).call("PUT", "/v2/team/app/manifests/1")
                .header("Content-Type", MediaTypes.OCI_INDEX).body(index.getBytes(StandardCharsets.UTF_8)).send();
        assertThat(put.status()).as(put.toString()).isEqualTo(201);
    }

    private static String entry(TestImage image, String arch) {
        return "{\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"digest\":\"" + image.digest() + "\",\"size\":"
                + image.manifest().length + ",\"platform\":{\"os\":\"linux\",\"architecture\":\"" + arch + "\"}}";
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
    void warmsTheChosenPlatformSoThatAPullFetchesNothingMore() throws Exception {
        int exit = warm("hub/team/app:1", "--platform", "linux/amd64");
        assertThat(exit).as("out:\n%s\nerr:\n%s", out, err).isZero();
        assertThat(out.toString()).contains("hub/team/app:1: manifest sha256:").contains("(linux/amd64)")
                .contains("warmed 1 of 1 images").contains("3 blobs fetched");
        amd64.blobDigests().forEach(digest -> assertThat(stored(digest)).as("%s of amd64", digest).isTrue());
        arm64.blobDigests().forEach(digest -> assertThat(stored(digest)).as("%s of arm64", digest).isFalse());

        double upstreamBytes = metric("fleetmirror_upstream_bytes_total{upstream=\"hub\"}");
        RegistryHttpClient client = new RegistryHttpClient(uri(mirror));
        assertThat(client.call("GET", "/v2/hub/team/app/manifests/" + amd64.digest())
                .header("Accept", MediaTypes.OCI_MANIFEST).send().status()).isEqualTo(200);
        for (Digest digest : amd64.blobDigests()) {
            RegistryHttpClient.Response blob = client.call("GET", "/v2/hub/team/app/blobs/" + digest).send();
            assertThat(blob.status()).isEqualTo(200);
            assertThat(Digest.sha256(blob.body())).isEqualTo(digest);
        }
        assertThat(metric("fleetmirror_upstream_bytes_total{upstream=\"hub\"}")).isEqualTo(upstreamBytes);

        // Again: everything is found in storage, nothing is fetched.
        out.getBuffer().setLength(0);
        assertThat(warm("--json", "hub/team/app:1", "--platform", "linux/amd64")).isZero();
        JsonNode summary = lastLine();
        assertThat(summary.path("cached").asInt()).isEqualTo(3);
        assertThat(summary.path("fetched").asInt()).isZero();
        assertThat(metric("fleetmirror_upstream_bytes_total{upstream=\"hub\"}")).isEqualTo(upstreamBytes);
    }

    @Test
    void allPlatformsByDefaultAndABadImageFailsAloneWithANonZeroExit() throws Exception {
        int exit = warm("hub/team/app:1", "hub/team/app:no-such-tag");
        assertThat(exit).isEqualTo(1);
        assertThat(err.toString()).contains("hub/team/app:no-such-tag: FAILED: no manifest no-such-tag");
        assertThat(out.toString()).contains("(linux/amd64)").contains("(linux/arm64)").contains("warmed 1 of 2 images");
        amd64.blobDigests().forEach(digest -> assertThat(stored(digest)).isTrue());
        arm64.blobDigests().forEach(digest -> assertThat(stored(digest)).isTrue());
    }

    @Test
    void refusesMalformedRequestsWithAClearAnswer() {
        assertThat(warm("not a name!")).isEqualTo(1);
        assertThat(err.toString()).contains("400").contains("is not an image reference");
        err.getBuffer().setLength(0);
        assertThat(warm("hub/team/app:1", "--platform", "amd64")).isEqualTo(1);
        assertThat(err.toString()).contains("'amd64' is not a platform");
        RegistryHttpClient.Response get = new RegistryHttpClient(uri(mirror)).call("GET", WarmAdmin.PATH).send();
        assertThat(get.status()).isEqualTo(405);
        assertThat(get.errorCodes()).containsExactly("UNSUPPORTED");
    }

    private int warm(String... args) {
        String[] full = new String[args.length + 3];
        full[0] = "warm";
        System.arraycopy(args, 0, full, 1, args.length);
        full[args.length + 1] = "--server";
        full[args.length + 2] = uri(mirror).toString();
        CommandLine command = Main.commandLine();
        command.setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
        return command.execute(full);
    }

    private JsonNode lastLine() throws Exception {
        String[] lines = out.toString().trim().split("\n");
        return JSON.readTree(lines[lines.length - 1]);
    }

    private boolean stored(Digest digest) {
        return Files.exists(work.resolve("mirror/docker/registry/v2/blobs/sha256").resolve(digest.hex().substring(0, 2))
                .resolve(digest.hex()).resolve("data"));
    }

    private double metric(String series) {
        String text = new RegistryHttpClient(uri(mirror)).call("GET", "/metrics").send().text();
        Matcher m = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE).matcher(text);
        assertThat(m.find()).as(series).isTrue();
        return Double.parseDouble(m.group(1));
    }

    private static FleetMirrorNode start(NodeConfig config) throws Exception {
        return FleetMirrorNode.start(config).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private static URI uri(FleetMirrorNode node) {
        return URI.create("http://127.0.0.1:" + node.port());
    }
}
