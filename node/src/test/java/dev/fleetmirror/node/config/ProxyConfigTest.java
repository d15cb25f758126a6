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

    @Test
    void anUpstreamListsFallbackUrlsWithTheirBackoff() {
        NodeConfig config = ConfigLoader.fromYaml("""
                upstreams:
                  - name: docker.io
                    urls: [https://mirror.gcr.io, https://registry-1.docker.io]
                    prefix: docker.io/
                    backoff:
                      initial: 2s
                      max: 1m
                  - name: ghcr
                    url: https://ghcr.io
                    prefix: ghcr/
                """, Map.of());

        UpstreamConfig hub = config.proxy().upstreams().get(0);
        assertThat(hub.urls()).containsExactly(URI.create("https://mirror.gcr.io"), URI.create("https://registry-1.docker.io"));
        assertThat(hub.url()).as("the first is asked while it works").isEqualTo(URI.create("https://mirror.gcr.io"));
        assertThat(hub.isDockerHub()).as("an accelerator in front of Docker Hub follows its names").isTrue();
        assertThat(hub.servesNamespace("docker.io")).isTrue();
        assertThat(hub.servesNamespace("mirror.gcr.io")).isTrue();
        assertThat(hub.backoff().after(1)).isEqualTo(Duration.ofSeconds(2));
        assertThat(hub.backoff().after(3)).isEqualTo(Duration.ofSeconds(8));
        assertThat(hub.backoff().after(20)).as("capped").isEqualTo(Duration.ofMinutes(1));
        UpstreamConfig ghcr = config.proxy().upstreams().get(1);
        assertThat(ghcr.urls()).as("url: is a list of one").containsExactly(URI.create("https://ghcr.io"));
        assertThat(ghcr.backoff()).isEqualTo(UpstreamConfig.Backoff.DEFAULT);
    }

    @Test
    void unusableFallbackUrlsNameTheirKey() {
        assertThatThrownBy(() -> ConfigLoader.fromYaml("""
                upstreams:
                  - url: https://a.example
                    urls: [https://b.example]
                """, Map.of()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo("upstreams.0.urls"));
        assertThatThrownBy(() -> ConfigLoader.fromYaml("upstreams:\n  - urls: [https://a.example, ftp://b.example]\n", Map.of()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo("upstreams.0.urls.1"));
        assertThatThrownBy(() -> ConfigLoader.fromYaml("upstreams:\n  - urls: [https://a.example, https://a.example]\n", Map.of()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.getMessage()).contains("listed twice"));
        assertThatThrownBy(() -> ConfigLoader.fromYaml("upstreams:\n  - urls: []\n", Map.of()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo("upstreams.0.urls"));
        assertThatThrownBy(() -> ConfigLoader.fromYaml("""
                upstreams:
                  - url: https://a.example
                    backoff: {initial: 1m, max: 10s}
                """, Map.of()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo("upstreams.0.backoff"));
    }

    @Test
    void aDefaultUpstreamServesBareNamesBesideHostedNamespaces() {
        NodeConfig config = ConfigLoader.fromYaml("""
                proxy:
                  hosted: [team/, ci]
                upstreams:
                  - name: docker.io
                    url: https://registry-1.docker.io
                    prefix: docker.io/
                    default: true
                """, Map.of());

        assertThat(config.proxy().upstreams().get(0).isDefault()).isTrue();
        assertThat(config.proxy().hosted()).containsExactly("team/", "ci/");
    }

    @Test
    void aDefaultUpstreamIsCheckedAgainstTheOtherUpstreams() {
        assertThatThrownBy(() -> ConfigLoader.fromYaml("""
                upstreams:
                  - {name: a, url: https://a.example, prefix: a/, default: true}
                  - {name: b, url: https://b.example, prefix: b/, default: true}
                """, Map.of()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.getMessage()).contains("at most one upstream"));
        assertThatThrownBy(() -> ConfigLoader.fromYaml("""
                proxy:
                  remoteurl: https://registry-1.docker.io
                upstreams:
                  - {name: a, url: https://a.example, prefix: a/, default: true}
                """, Map.of()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.getMessage()).contains("proxy.remoteurl"));
        assertThatThrownBy(() -> ConfigLoader.fromYaml("upstreams:\n  - {url: https://a.example, default: true}\n", Map.of()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo("upstreams.0.default"));
        assertThatThrownBy(() -> ConfigLoader.fromYaml("""
                proxy:
                  hosted: [team/]
                upstreams:
                  - {name: a, url: https://a.example, prefix: a/}
                """, Map.of()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo("proxy.hosted"));
        assertThatThrownBy(() -> ConfigLoader.fromYaml("""
                proxy:
                  hosted: [a/team/]
                upstreams:
                  - {name: a, url: https://a.example, prefix: a/, default: true}
                """, Map.of()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.getMessage()).contains("overlaps the prefix a/"));
    }
}
