package dev.fleetmirror.node.interop;

import static dev.fleetmirror.node.interop.ReadmeBlocks.MIRROR;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import dev.fleetmirror.node.config.ConfigLoader;
import dev.fleetmirror.node.config.ProxyConfig;
import dev.fleetmirror.node.config.UpstreamConfig;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The client set-up examples of README.md ("Pointing clients at it") parse as what their client
 * reads and use only keys it knows, and agree with the node configuration beside them. dockerd
 * does not run here: {@link ClientSetupDocsTest} sends the node its requests; containerd runs the
 * hosts.toml block in {@link ContainerdHostsTomlTest}.
 */
class ClientSetupExamplesTest {
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final TomlMapper TOML = new TomlMapper();

    @Test
    void daemonJsonIsJsonWithOnlyKeysDockerdKnowsAndAMirrorUrlWithoutPath() throws Exception {
        JsonNode daemon = JSON.readTree(ReadmeBlocks.block("daemon.json"));

        // dockerd refuses to start on a daemon.json key it does not know.
        assertThat(names(daemon)).containsExactlyInAnyOrder("registry-mirrors", "insecure-registries");
        assertThat(daemon.get("registry-mirrors").isArray()).isTrue();
        assertThat(daemon.get("registry-mirrors")).hasSize(1);
        URI mirror = URI.create(daemon.get("registry-mirrors").get(0).asText());
        assertThat(mirror.getScheme()).isIn("http", "https");
        assertThat(mirror.getAuthority()).isEqualTo(MIRROR);
        assertThat(mirror.getPath()).as("dockerd refuses a mirror URL with a path").isIn("", "/");
        assertThat(mirror.getQuery()).isNull();
        assertThat(daemon.get("insecure-registries").get(0).asText()).as("host:port, no scheme").isEqualTo(MIRROR);
    }

    @Test
    void hostsTomlIsTomlNamingTheMirrorAsAPullAndResolveHostBeforeTheServer() throws Exception {
        JsonNode hosts = TOML.readTree(ReadmeBlocks.block("hosts.toml"));

        assertThat(names(hosts)).containsExactlyInAnyOrder("server", "host");
        assertThat(hosts.get("server").asText()).isEqualTo("https://registry-1.docker.io");
        assertThat(names(hosts.get("host"))).containsExactly("http://" + MIRROR);
        JsonNode mirror = hosts.get("host").get("http://" + MIRROR);
        assertThat(Set.of("capabilities", "ca", "skip_verify", "client", "header", "override_path"))
                .containsAll(names(mirror));
        List<String> capabilities = new ArrayList<>();
        mirror.get("capabilities").forEach(c -> capabilities.add(c.asText()));
        // A mirrored namespace refuses pushes, so the mirror must not be offered for them.
        assertThat(capabilities).containsExactlyInAnyOrder("pull", "resolve");
    }

    @Test
    void registriesConfMirrorsCarryThePrefixTheNodeConfigServesEachRegistryUnder() throws Exception {
        JsonNode conf = TOML.readTree(ReadmeBlocks.block("registries.conf"));
        Map<String, UpstreamConfig> upstreams = ConfigLoader.fromYaml(ReadmeBlocks.block("node-config"), Map.of())
                .proxy().upstreams().stream().collect(Collectors.toMap(UpstreamConfig::name, u -> u));

        assertThat(names(conf)).containsExactly("registry");
        assertThat(conf.get("registry")).hasSize(2);
        for (JsonNode registry : conf.get("registry")) {
            assertThat(Set.of("prefix", "location", "insecure", "blocked", "mirror", "mirror-by-digest-only"))
                    .containsAll(names(registry));
            String prefix = registry.get("prefix").asText();
            assertThat(registry.get("location").asText()).isEqualTo(prefix);
            assertThat(registry.get("mirror")).hasSize(1);
            JsonNode mirror = registry.get("mirror").get(0);
            assertThat(names(mirror)).containsExactlyInAnyOrder("location", "insecure");
            assertThat(mirror.get("insecure").asBoolean()).isTrue();
            assertThat(mirror.get("location").asText()).isEqualTo(MIRROR + "/" + prefix);
            assertThat(upstreams).as("the node config has an upstream for " + prefix).containsKey(prefix);
            assertThat(upstreams.get(prefix).prefix()).isEqualTo(prefix + "/");
        }
    }

    @Test
    void nodeConfigForDockerdMakesDockerHubTheDefaultBesideHostedNamespaces() {
        ProxyConfig proxy = ConfigLoader.fromYaml(ReadmeBlocks.block("node-config-dockerd"), Map.of()).proxy();

        List<UpstreamConfig> defaults = proxy.upstreams().stream().filter(UpstreamConfig::isDefault).toList();
        assertThat(defaults).hasSize(1);
        assertThat(defaults.get(0).isDockerHub()).isTrue();
        assertThat(defaults.get(0).namespaceHost()).as("containerd's ?ns=docker.io finds it").isEqualTo("docker.io");
        assertThat(proxy.hosted()).as("names that still accept pushes").isNotEmpty();
    }

    @Test
    void nodeConfigForContainerdAndPodmanNamesEachUpstreamByTheRegistryHostContainerdSendsInNs() {
        List<UpstreamConfig> upstreams = ConfigLoader.fromYaml(ReadmeBlocks.block("node-config"), Map.of())
                .proxy().upstreams();

        assertThat(upstreams).extracting(UpstreamConfig::prefix).containsExactly("docker.io/", "ghcr.io/", "quay.io/");
        for (UpstreamConfig upstream : upstreams) {
            assertThat(upstream.namespaceHost()).isEqualTo(upstream.name());
            assertThat(upstream.prefix()).isEqualTo(upstream.name() + "/");
        }
    }

    private static List<String> names(JsonNode object) {
        assertThat(object.isObject()).as(object + " is an object").isTrue();
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
