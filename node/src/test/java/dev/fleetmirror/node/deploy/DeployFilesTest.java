package dev.fleetmirror.node.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.fleetmirror.node.config.ConfigLoader;
import dev.fleetmirror.node.config.NodeConfig;
import dev.fleetmirror.node.config.StorageBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import dev.fleetmirror.node.testing.CapturedLogs;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code deploy/} ships must work as written: every config (examples, compose, the Kubernetes
 * ConfigMap) loads with no unknown key and no error, and the manifests hang together (the member
 * discovery name is the headless Service, probes hit the registry port, the budget keeps a quorum).
 */
class DeployFilesTest {
    private static final Path DEPLOY = Path.of("..", "deploy").toAbsolutePath().normalize();
    /** What the deployments put in the environment rather than in files. */
    private static final Map<String, String> SECRETS = Map.of(
            "REGISTRY_STORAGE_S3_ACCESSKEY", "access", "REGISTRY_STORAGE_S3_SECRETKEY", "secret",
            "REGISTRY_CLUSTER_SECRET", "cluster-secret");
    private static final ObjectMapper YAML = new YAMLMapper();

    @RegisterExtension
    final CapturedLogs logs = new CapturedLogs(ConfigLoader.class);

    @TempDir
    Path work;

    private NodeConfig load(Path file) {
        return load(file, SECRETS);
    }

    private NodeConfig load(Path file, Map<String, String> env) {
        logs.clear();
        NodeConfig config = ConfigLoader.load(Optional.of(file), env);
        assertThat(logs.messages()).as("warnings loading " + file).isEmpty();
        return config;
    }

    @Test
    void exampleConfigsLoadWithoutUnknownKeys() throws IOException {
        List<Path> examples;
        try (Stream<Path> files = Files.list(DEPLOY.resolve("examples"))) {
            examples = files.filter(f -> f.toString().endsWith(".yml")).sorted().toList();
        }
        assertThat(examples).extracting(f -> f.getFileName().toString())
                .containsExactly("fleet-mirror.yml", "minio-onprem.yml", "scheduled-gc.yml");
        NodeConfig fleet = load(examples.get(0));
        assertThat(fleet.cluster()).get().satisfies(c -> assertThat(c.minimumSize()).isEqualTo(2));
        assertThat(fleet.proxy().upstreams()).hasSize(3);
        assertThat(fleet.proxy().upstreams().get(0).limit()).isPresent();
        NodeConfig minio = load(examples.get(1));
        assertThat(minio.storage().backend()).isInstanceOf(StorageBackend.S3.class);
        // On local disk: the S3 keys of the environment would name a second backend.
        NodeConfig gc = load(examples.get(2), Map.of());
        assertThat(gc.gc().schedule()).isPresent();
    }

    @Test
    void composeRunsThreeClusteredNodesOnMinioBehindTheBalancer() throws IOException {
        NodeConfig config = load(DEPLOY.resolve("compose/config.yml"));
        assertThat(config.cluster()).get().satisfies(c -> assertThat(c.members()).containsExactly("node1", "node2", "node3"));
        JsonNode compose = YAML.readTree(DEPLOY.resolve("compose/compose.yml").toFile());
        assertThat(compose.path("services").fieldNames()).toIterable()
                .contains("minio", "bucket", "node1", "node2", "node3", "balancer");
        assertThat(compose.path("services").path("node2").path("environment").path("REGISTRY_CLUSTER_ADVERTISE").asText())
                .isEqualTo("http://node2:5000");
        String nginx = Files.readString(DEPLOY.resolve("compose/nginx.conf"));
        assertThat(nginx).contains("server node1:5000;", "server node2:5000;", "server node3:5000;",
                "client_max_body_size 0;", "proxy_request_buffering off;");
    }

    @Test
    void kubernetesManifestsHangTogether() throws IOException {
        List<JsonNode> documents = new ArrayList<>();
        try (var parser = new YAMLFactory().createParser(DEPLOY.resolve("kubernetes/fleetmirror.yaml").toFile())) {
            YAML.readValues(parser, JsonNode.class).forEachRemaining(documents::add);
        }
        assertThat(documents).extracting(d -> d.path("kind").asText())
                .containsExactly("Secret", "ConfigMap", "Service", "Service", "Deployment", "PodDisruptionBudget");
        JsonNode configMap = documents.get(1);
        Path config = work.resolve("config.yml");
        Files.writeString(config, configMap.path("data").path("config.yml").asText());
        NodeConfig node = load(config);
        JsonNode headless = documents.get(2);
        assertThat(headless.path("spec").path("clusterIP").asText()).isEqualTo("None");
        assertThat(node.cluster()).get().satisfies(c -> {
            assertThat(c.kubernetesService()).get().asString().startsWith(headless.path("metadata").path("name").asText() + ".");
            assertThat(headless.path("spec").path("ports").get(0).path("port").asInt()).isEqualTo(c.port());
        });
        assertThat(documents.get(0).path("stringData").fieldNames()).toIterable().containsAll(SECRETS.keySet());
        JsonNode container = documents.get(4).path("spec").path("template").path("spec").path("containers").get(0);
        assertThat(container.path("readinessProbe").path("httpGet").path("port").asText()).isEqualTo("http");
        assertThat(container.path("livenessProbe").path("httpGet").path("path").asText()).isEqualTo("/healthz");
        assertThat(container.path("readinessProbe").path("httpGet").path("path").asText()).isEqualTo("/readyz");
        assertThat(container.path("ports").findValuesAsText("containerPort")).containsExactly("5000", "5701");
        int replicas = documents.get(4).path("spec").path("replicas").asInt();
        int minAvailable = documents.get(5).path("spec").path("minAvailable").asInt();
        assertThat(minAvailable).as("the disruption budget keeps the cluster's quorum")
                .isGreaterThanOrEqualTo(node.cluster().get().minimumSize()).isLessThan(replicas);
    }

    @Test
    void systemdUnitVerifies() throws Exception {
        Path analyze = Path.of("/usr/bin/systemd-analyze");
        assumeTrue(Files.isExecutable(analyze), "systemd-analyze is not installed: the unit is not verified here");
        Process verify = new ProcessBuilder(analyze.toString(), "verify", DEPLOY.resolve("systemd/fleetmirror.service").toString())
                .redirectErrorStream(true).start();
        String output = new String(verify.getInputStream().readAllBytes());
        assertThat(verify.waitFor(30, TimeUnit.SECONDS)).isTrue();
        // The unit names a user and a jar this machine does not have; anything else is a mistake in the unit.
        List<String> problems = output.lines()
                .filter(line -> !line.contains("/opt/fleetmirror/fleetmirror.jar") && !line.contains("User")
                        && !line.isBlank())
                .toList();
        assertThat(problems).as(output).isEmpty();
    }
}
