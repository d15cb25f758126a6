package dev.fleetmirror.node.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fleetmirror.coordination.ClusterSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import dev.fleetmirror.node.testing.CapturedLogs;
import org.junit.jupiter.api.extension.RegisterExtension;

class ClusterConfigTest {
    @RegisterExtension
    final CapturedLogs logs = new CapturedLogs(ConfigLoader.class);

    private static ClusterSettings cluster(String yaml, Map<String, String> env) {
        return ConfigLoader.fromYaml(yaml, env).cluster().orElseThrow();
    }

    @Test
    void withoutAClusterSectionTheNodeIsStandalone() {
        assertThat(ConfigLoader.fromYaml("version: 0.1\n", Map.of()).cluster()).isEmpty();
        assertThat(ConfigLoader.load(Optional.empty(), Map.of()).cluster()).isEmpty();
    }

    @Test
    void everyClusterKeyIsRead() {
        ClusterSettings settings = cluster("""
                cluster:
                  name: mirrors-eu
                  addr: 10.0.0.5
                  port: 5801
                  members:
                    - 10.0.0.5:5801
                    - 10.0.0.6
                    - "[fd00::7]:5801"
                  secret: s3cret
                  minimumSize: 2
                  leaseTtl: 1m30s
                  advertise: http://mirror-a.internal:5000/
                """, Map.of());
        assertThat(settings).isEqualTo(new ClusterSettings("mirrors-eu", "10.0.0.5", 5801,
                List.of("10.0.0.5:5801", "10.0.0.6", "[fd00::7]:5801"), false, Optional.empty(), Optional.of("s3cret"), 2,
                Duration.ofSeconds(90), "http://mirror-a.internal:5000"));
        assertThat(logs.events()).isEmpty();
    }

    @Test
    void aClusterSectionWithOnlyANameTakesTheDefaults() {
        ClusterSettings settings = cluster("cluster:\n  name: fleet\n", Map.of());
        assertThat(settings).isEqualTo(new ClusterSettings("fleet", "127.0.0.1", ClusterSettings.DEFAULT_PORT, List.of(),
                false, Optional.empty(), Optional.empty(), 1, ClusterSettings.DEFAULT_LEASE_TTL, ""));
        assertThat(settings.joins()).isFalse();
    }

    @Test
    void multicastAndKubernetesAreJoinMethods() {
        assertThat(cluster("cluster:\n  addr: 0.0.0.0\n  multicast: true\n", Map.of()).multicast()).isTrue();
        ClusterSettings kubernetes = cluster("cluster:\n  addr: 0.0.0.0\n  kubernetes: fleetmirror-hz.registry.svc.cluster.local\n",
                Map.of());
        assertThat(kubernetes.kubernetesService()).hasValue("fleetmirror-hz.registry.svc.cluster.local");
        assertThat(kubernetes.bindAddress()).isEqualTo("0.0.0.0");
        assertThat(kubernetes.joins()).isTrue();
    }

    @Test
    void environmentOverridesClusterKeysWhateverTheirCaseInTheFile() {
        ClusterSettings settings = cluster("""
                cluster:
                  name: fleet
                  minimumSize: 2
                  leaseTtl: 10s
                """, Map.of(
                "REGISTRY_CLUSTER_MINIMUMSIZE", "3",
                "REGISTRY_CLUSTER_LEASETTL", "30s",
                "REGISTRY_CLUSTER_MEMBERS", "10.0.0.1:5701, 10.0.0.2",
                "REGISTRY_CLUSTER_SECRET", "from-env"));
        assertThat(settings.minimumSize()).isEqualTo(3);
        assertThat(settings.leaseTtl()).isEqualTo(Duration.ofSeconds(30));
        assertThat(settings.members()).containsExactly("10.0.0.1:5701", "10.0.0.2");
        assertThat(settings.secret()).hasValue("from-env");
        assertThat(logs.events()).isEmpty();
    }

    @Test
    void theEnvironmentAloneCanMakeANodeJoinACluster() {
        NodeConfig config = ConfigLoader.load(Optional.empty(), Map.of(
                "REGISTRY_CLUSTER_NAME", "fleet",
                "REGISTRY_CLUSTER_KUBERNETES", "fleetmirror-hz.registry.svc.cluster.local",
                "REGISTRY_CLUSTER_ADDR", "10.1.2.3"));
        assertThat(config.cluster()).hasValueSatisfying(settings -> {
            assertThat(settings.name()).isEqualTo("fleet");
            assertThat(settings.bindAddress()).isEqualTo("10.1.2.3");
            assertThat(settings.kubernetesService()).hasValue("fleetmirror-hz.registry.svc.cluster.local");
        });
    }

    @Test
    void badValuesNameTheirKey() {
        expectError("cluster:\n  port: 0\n", "cluster.port", "0");
        expectError("cluster:\n  port: many\n", "cluster.port", "many");
        expectError("cluster:\n  minimumSize: 0\n", "cluster.minimumSize", "at least 1");
        expectError("cluster:\n  minimumsize: two\n", "cluster.minimumsize", "two");
        expectError("cluster:\n  leaseTtl: 500ms\n", "cluster.leaseTtl", "1s");
        expectError("cluster:\n  leaseTtl: soon\n", "cluster.leaseTtl", "soon");
        expectError("cluster:\n  addr: registry.example.com\n", "cluster.addr", "IP address");
        expectError("cluster:\n  members: [\"10.0.0.1 10.0.0.2\"]\n", "cluster.members", "10.0.0.1 10.0.0.2");
        expectError("cluster:\n  members: [\"10.0.0.1:70000\"]\n", "cluster.members", "70000");
        expectError("cluster:\n  members: {a: b}\n", "cluster.members", "list");
        expectError("cluster:\n  multicast: sometimes\n", "cluster.multicast", "sometimes");
        expectError("cluster:\n  kubernetes: \"not a dns name\"\n", "cluster.kubernetes", "DNS");
        expectError("cluster:\n  advertise: ftp://mirror:21\n", "cluster.advertise", "http");
        expectError("cluster:\n  name: \"two words\"\n", "cluster.name", "two words");
        expectError("cluster:\n  peers: [a]\n", "cluster.peers", "not a cluster setting");
        expectError("cluster:\n  minimumSize: 2\n  minimumsize: 3\n", "cluster.minimumsize", "twice");
        expectError("cluster: yes\n", "cluster", "mapping");
        expectError("cluster:\n  members: [10.0.0.1]\n  multicast: true\n", "cluster", "one way");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of("REGISTRY_CLUSTER_PORT", "x")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("cluster.port");
    }

    private static void expectError(String yaml, String key, String mention) {
        assertThatThrownBy(() -> ConfigLoader.fromYaml(yaml, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(key + ":")
                .hasMessageContaining(mention);
    }
}
