package dev.fleetmirror.node.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.manifest.MediaTypes;
import dev.fleetmirror.core.testing.LocalProcesses;
import dev.fleetmirror.node.proxy.TestImage;
import dev.fleetmirror.node.testing.DistributionProcess;
import dev.fleetmirror.node.testing.NginxProcess;
import dev.fleetmirror.node.testing.NodeProcess;
import dev.fleetmirror.node.testing.RegistryHttpClient;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code deploy/local/cluster.sh} as an operator runs it: {@code up} starts S3Proxy, three nodes in
 * one cluster and nginx; pushes and mirrored pulls go through the balancer; {@code status} reports
 * every process and member; {@code down} stops every process by its pid.
 */
class LocalClusterScriptIT {
    private static final Path SCRIPT = Path.of("..", "deploy", "local", "cluster.sh").toAbsolutePath().normalize();

    @TempDir
    Path work;

    private DistributionProcess upstream;
    private Map<String, String> env;

    @AfterEach
    void down() throws Exception {
        if (env != null) {
            run(List.of("down"), env);
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    @Test
    void upServesPushesAndMirroredPullsThroughTheBalancerAndDownStopsEveryProcess() throws Exception {
        assumeTrue(NginxProcess.available(), NginxProcess.absentReason());
        assumeTrue(DistributionProcess.available(), DistributionProcess.absentReason());
        upstream = DistributionProcess.start(work.resolve("upstream"), work.resolve("upstream-storage"));
        TestImage upstreamImage = TestImage.random(81, 30_000);
        upstreamImage.push(upstream.baseUri(), "library/tool", "1.0");
        int port = LocalProcesses.freeLoopbackPort();
        Path state = work.resolve("state");
        env = Map.of("PORT", Integer.toString(port), "STATE_DIR", state.toString(), "JAR", NodeProcess.jar().toAbsolutePath().toString(),
                "UPSTREAM", upstream.baseUri().toString().replaceAll("/$", ""));

        Result up = run(List.of("up"), env);
        assertThat(up.exit()).as(up.output()).isZero();
        URI balancer = URI.create("http://127.0.0.1:" + port);

        TestImage pushed = TestImage.random(82, 50_000, 20_000);
        pushed.push(balancer, "team/app", "v1");
        assertPulls(balancer, "team/app", pushed);
        assertPulls(balancer, "docker.io/library/tool", upstreamImage);

        Result status = run(List.of("status"), env);
        assertThat(status.exit()).as(status.output()).isZero();
        assertThat(status.output()).contains("registry: " + balancer)
                .containsPattern("(?s)(sees 3 member\\(s\\), quorum reached.*){3}");
        List<Long> pids = new ArrayList<>();
        for (String line : Files.readAllLines(state.resolve("pids"))) {
            pids.add(Long.parseLong(line.split(" ")[1]));
        }
        assertThat(pids).hasSize(5);

        Result down = run(List.of("down"), env);
        env = null;
        assertThat(down.exit()).as(down.output()).isZero();
        for (long pid : pids) {
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("pid " + pid).isFalse();
        }
        assertThat(state).doesNotExist();
    }

    private static void assertPulls(URI registry, String repo, TestImage image) {
        RegistryHttpClient client = new RegistryHttpClient(registry);
        RegistryHttpClient.Response manifest = client.call("GET", "/v2/" + repo + "/manifests/" + image.digest())
                .header("Accept", MediaTypes.OCI_MANIFEST).send();
        assertThat(manifest.status()).as(manifest.toString()).isEqualTo(200);
        assertThat(manifest.body()).isEqualTo(image.manifest());
        for (Digest blob : image.blobDigests()) {
            RegistryHttpClient.Response got = client.call("GET", "/v2/" + repo + "/blobs/" + blob).send();
            assertThat(got.status()).as(repo + " " + blob).isEqualTo(200);
            assertThat(got.body()).isEqualTo(image.blob(blob));
        }
    }

    private record Result(int exit, String output) {
    }

    private Result run(List<String> args, Map<String, String> environment) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", SCRIPT.toString()));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(environment);
        Path log = work.resolve("script-" + args.get(0) + ".log");
        builder.redirectOutput(log.toFile());
        Process process = builder.start();
        if (!process.waitFor(6, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("cluster.sh " + args + " did not finish: " + Files.readString(log));
        }
        return new Result(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }
}
