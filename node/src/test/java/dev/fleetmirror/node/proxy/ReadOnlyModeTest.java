package dev.fleetmirror.node.proxy;

import static dev.fleetmirror.node.proxy.MirrorFixture.pull;
import static dev.fleetmirror.node.proxy.MirrorFixture.uri;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.manifest.MediaTypes;
import dev.fleetmirror.node.FleetMirrorNode;
import dev.fleetmirror.node.config.UpstreamConfig;
import dev.fleetmirror.node.testing.RegistryHttpClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.SubmissionPublisher;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The read-only switch on one node that hosts {@code mine/*} and mirrors {@code up/*}: a write in
 * flight when the switch starts finishes (the switch waits for it), writes after it get the
 * maintenance error with {@code Retry-After}, cache misses pass through without touching storage,
 * and read-write brings everything back.
 */
class ReadOnlyModeTest {
    @TempDir
    Path work;

    @RegisterExtension
    final MirrorRig rig = new MirrorRig();

    private final HttpClient http = HttpClient.newHttpClient();
    private FleetMirrorNode node;

    @BeforeEach
    void start() throws Exception {
        rig.startUpstream(work, "upstream", "");
        node = rig.startNode(work.resolve("storage"), work.resolve("spool"), Duration.ofMinutes(1),
                new UpstreamConfig("up", rig.upstream().baseUri(), Optional.empty(), Optional.empty(), "up/", true));
    }

    private HttpResponse<String> switchTo(String mode) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(node).resolve("/admin/v1/mode"))
                .PUT(HttpRequest.BodyPublishers.ofString("{\"mode\":\"" + mode + "\"}")).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aWriteInFlightFinishesLaterWritesWaitAndCacheMissesPassThrough() throws Exception {
        TestImage image = TestImage.random(91, 300_000, 2_000);
        byte[] layer = image.layers().get(0);
        Digest layerDigest = Digest.sha256(layer);
        RegistryHttpClient client = new RegistryHttpClient(uri(node));
        RegistryHttpClient.Response started = client.call("POST", "/v2/mine/app/blobs/uploads/").send();
        assertThat(started.status()).isEqualTo(202);

        // The blob's PUT sends half its body, then waits; the switch is asked for while it is in flight.
        SubmissionPublisher<ByteBuffer> body = new SubmissionPublisher<>();
        URI put = uri(node).resolve(started.location() + (started.location().contains("?") ? "&" : "?") + "digest=" + layerDigest);
        CompletableFuture<HttpResponse<String>> upload = http.sendAsync(HttpRequest.newBuilder(put)
                        .header("Content-Type", "application/octet-stream")
                        .PUT(HttpRequest.BodyPublishers.fromPublisher(body, layer.length))
                        .build(), HttpResponse.BodyHandlers.ofString());
        int half = layer.length / 2;
        await().atMost(Duration.ofSeconds(10)).until(() -> body.getNumberOfSubscribers() > 0);
        body.submit(ByteBuffer.wrap(layer, 0, half));
        await().atMost(Duration.ofSeconds(10)).until(() -> node.coordination().mode().inFlight() == 1 || upload.isDone());
        assertThat(upload).as("the upload waits for the rest of its body").isNotDone();
        CompletableFuture<HttpResponse<String>> switching = CompletableFuture.supplyAsync(() -> {
            try {
                return switchTo("read-only");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> node.coordination().mode().current().name().equals("DRAINING")
                || switching.isDone());
        assertThat(switching).as(() -> switching.isDone() ? switching.join().statusCode() + " " + switching.join().body() : "")
                .isNotDone();
        // the switch waits for the upload in flight, however long one watches
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> !switching.isDone());
        body.submit(ByteBuffer.wrap(layer, half, layer.length - half));
        body.close();
        assertThat(upload.get(30, TimeUnit.SECONDS).statusCode()).as("the write that started first").isEqualTo(201);
        HttpResponse<String> switched = switching.get(30, TimeUnit.SECONDS);
        assertThat(switched.statusCode()).as(switched.body()).isEqualTo(200);
        assertThat(switched.body()).contains("\"mode\" : \"READ_ONLY\"");

        RegistryHttpClient.Response refused = client.call("POST", "/v2/mine/app/blobs/uploads/").send();
        assertThat(refused.status()).isEqualTo(405);
        assertThat(refused.header("Retry-After")).contains("60");
        assertThat(new String(refused.body())).contains("UNSUPPORTED", "read-only for maintenance");

        image.push(rig.upstream().baseUri(), "team/tool", "v1");
        long storedBefore = files(work.resolve("storage"));
        Map<Digest, byte[]> pulled = pull(uri(node), "up/team/tool", "v1");
        for (Digest blob : image.blobDigests()) {
            assertThat(pulled.get(blob)).isEqualTo(image.blob(blob));
        }
        assertThat(files(work.resolve("storage"))).as("nothing stored while read-only").isEqualTo(storedBefore);

        assertThat(switchTo("read-write").statusCode()).isEqualTo(200);
        image.push(uri(node), "mine/app", "v1");
        RegistryHttpClient.Response manifest = client.call("GET", "/v2/mine/app/manifests/v1")
                .header("Accept", MediaTypes.OCI_MANIFEST).send();
        assertThat(manifest.status()).isEqualTo(200);
        assertThat(manifest.body()).isEqualTo(image.manifest());
    }

    @Test
    void badSwitchRequestsAreRefusedAndChangeNothing() throws Exception {
        HttpResponse<String> unknown = switchTo("sideways");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.body()).contains("read-only", "read-write");
        HttpResponse<String> notJson = http.send(HttpRequest.newBuilder(uri(node).resolve("/admin/v1/mode"))
                .PUT(HttpRequest.BodyPublishers.ofString("read-only")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(node.coordination().mode().current().name()).isEqualTo("READ_WRITE");
        HttpResponse<String> state = http.send(HttpRequest.newBuilder(uri(node).resolve("/admin/v1/mode")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(state.body()).contains("\"mode\" : \"READ_WRITE\"");
    }

    @Test
    void modeCommandSwitchesTheRunningNodeAndReportsIt() {
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        picocli.CommandLine cli = new picocli.CommandLine(new dev.fleetmirror.node.cli.FleetMirrorCommand());
        cli.setOut(new java.io.PrintWriter(out, true)).setErr(new java.io.PrintWriter(err, true));
        assertThat(cli.execute("mode", "read-only", "--server", uri(node).toString())).as(err.toString()).isZero();
        assertThat(out.toString()).contains("READ_ONLY");
        assertThat(node.coordination().mode().current().name()).isEqualTo("READ_ONLY");
        assertThat(cli.execute("mode", "status", "--server", uri(node).toString())).isZero();
        assertThat(cli.execute("mode", "read-write", "--server", uri(node).toString())).isZero();
        assertThat(node.coordination().mode().current().name()).isEqualTo("READ_WRITE");
        assertThat(cli.execute("mode", "upside-down", "--server", uri(node).toString())).isEqualTo(2);
        assertThat(err.toString()).contains("read-only, read-write or status");
    }

    private static long files(Path root) throws IOException {
        if (!Files.exists(root)) {
            return 0;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile).filter(p -> !p.toString().contains("/fleetmirror/cluster/")).count();
        }
    }
}
