package dev.fleetmirror.node.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ProxyConfigTest {

    @Test
    void withoutProxyKeysNothingIsMirrored() {
        NodeConfig config = ConfigLoader.fromYaml("version: 0.1\n", Map.of());
        assertThat(config.proxy().enabled()).isFalse();
        assertThat(config.proxy().tagTtl()).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void distributionsRemoteUrlBecomesTheCatchAllUpstream() {
        NodeConfig config = ConfigLoader.fromYaml("""
                proxy:
                  remoteurl: https://registry-1.docker.io
                  username: alice
                  password: pw
                  ttl: 168h
                allowAnonymousPrivateUpstream: true
                """, Map.of());

        UpstreamConfig upstream = config.proxy().upstreams().get(0);
        assertThat(config.proxy().upstreams()).hasSize(1);
        assertThat(upstream.url()).isEqualTo(URI.create("https://registry-1.docker.io"));
        assertThat(upstream.catchAll()).isTrue();
        assertThat(upstream.isDockerHub()).isTrue();
        assertThat(upstream.username()).hasValue("alice");
        assertThat(upstream.password()).hasValue("pw");
        assertThat(upstream.tlsVerify()).isTrue();
        assertThat(upstream.toString()).doesNotContain("pw");
        assertThat(upstream.privacy().isPrivate()).as("credentials make it private").isTrue();
        assertThat(config.proxy().ttl()).hasValue(Duration.ofHours(168));
    }

    @Test
    void upstreamListWithPrefixesTagTtlAndTlsOptOut() {
        NodeConfig config = ConfigLoader.fromYaml("""
                allowAnonymousPrivateUpstream: true
                proxy:
                  tagttl: 1h30m
                  spooldirectory: /var/spool/fm
                upstreams:
                  - name: ghcr
                    url: https://ghcr.io
                    prefix: ghcr
                  - name: lab
                    url: https://registry.lab.example:8443/
                    prefix: lab/images/
                    username: bot
                    password: token
                    tlsverify: false
                """, Map.of());

        assertThat(config.proxy().tagTtl()).isEqualTo(Duration.ofMinutes(90));
        assertThat(config.proxy().spoolDirectory()).hasToString("/var/spool/fm");
        assertThat(config.proxy().upstreams()).containsExactly(
                new UpstreamConfig("ghcr", URI.create("https://ghcr.io"), Optional.empty(), Optional.empty(), "ghcr/", true),
                new UpstreamConfig("lab", URI.create("https://registry.lab.example:8443"), Optional.of("bot"),
                        Optional.of("token"), "lab/images/", false));
        assertThat(config.proxy().upstreams().get(1).namespaceHost()).isEqualTo("registry.lab.example:8443");
    }

    @Test
    void environmentOverridesTheRemoteUrl() {
        NodeConfig config = ConfigLoader.fromYaml("version: 0.1\n", Map.of("REGISTRY_PROXY_REMOTEURL", "https://quay.io"));
        assertThat(config.proxy().upstreams().get(0).url()).isEqualTo(URI.create("https://quay.io"));
    }

    @Test
    void unusableUpstreamSettingsNameTheirKey() {
        assertThatThrownBy(() -> ConfigLoader.fromYaml("proxy:\n  remoteurl: ftp://x\n", Map.of()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo("proxy.remoteurl"));
        assertThatThrownBy(() -> ConfigLoader.fromYaml("upstreams:\n  - url: https://a.example\n    prefx: a/\n", Map.of()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo("upstreams.0.prefx"));
        assertThatThrownBy(() -> ConfigLoader.fromYaml("upstreams:\n  - name: a\n", Map.of()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo("upstreams.0.url"));
        assertThatThrownBy(() -> ConfigLoader.fromYaml("upstreams:\n  - url: https://a.example\n    prefix: Bad Prefix\n", Map.of()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo("upstreams.0.prefix"));
        assertThatThrownBy(() -> ConfigLoader.fromYaml("""
                proxy:
                  remoteurl: https://registry-1.docker.io
                upstreams:
                  - url: https://quay.io
                """, Map.of()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.getMessage()).contains("only one upstream may serve every repository"));
        assertThatThrownBy(() -> ConfigLoader.fromYaml("proxy:\n  tagttl: soon\n", Map.of()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo("proxy.tagttl"));
        assertThatThrownBy(() -> ConfigLoader.fromYaml("proxy:\n  remoteurl: https://r.example/v2/\n", Map.of()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.getMessage()).contains("must not have a path"));
    }
}
