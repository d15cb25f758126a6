package dev.fleetmirror.node.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code http.tls}, {@code http.limits}, {@code http.timeouts}, and upstream URLs that carry credentials. */
class HardeningConfigTest {
    @TempDir
    Path work;

    @Test
    void defaultsAreTheProductionLimitsAndPlainHttp() {
        HttpConfig http = ConfigLoader.fromYaml("version: 0.1\n", Map.of()).http();

        assertThat(http.tls()).isEmpty();
        assertThat(http.limits()).isEqualTo(HttpLimits.defaults());
        assertThat(http.limits().maxHeaderBytes()).isEqualTo(32 * 1024);
        assertThat(http.limits().requestHead()).isEqualTo(Duration.ofSeconds(30));
        assertThat(http.limits().uploadSessions()).isEqualTo(256);
    }

    @Test
    void tlsLimitsAndTimeoutsAreRead() throws Exception {
        Path cert = Files.writeString(work.resolve("cert.pem"), "x");
        Path key = Files.writeString(work.resolve("key.pem"), "x");
        Path ca = Files.writeString(work.resolve("ca.pem"), "x");

        HttpConfig http = ConfigLoader.fromYaml("""
                http:
                  addr: 127.0.0.1:5443
                  tls:
                    certificate: %s
                    key: %s
                    clientcas: [%s]
                  http2:
                    disabled: true
                  limits:
                    maxheaderbytes: 16384
                    maxconnections: 100
                    uploadsessions: 10
                  timeouts:
                    requesthead: 5s
                    idle: 2m
                """.formatted(cert, key, ca), Map.of()).http();

        assertThat(http.tls()).hasValue(new TlsConfig(cert, key, java.util.List.of(ca), false));
        assertThat(http.tls().get().mutual()).isTrue();
        assertThat(http.limits()).isEqualTo(new HttpLimits(16384, 100, 10, Duration.ofSeconds(5), Duration.ofMinutes(2)));
    }

    @Test
    void environmentOverridesLimits() {
        HttpConfig http = ConfigLoader.fromYaml("version: 0.1\n", Map.of("REGISTRY_HTTP_LIMITS_MAXCONNECTIONS", "7",
                "REGISTRY_HTTP_TIMEOUTS_REQUESTHEAD", "10s")).http();

        assertThat(http.limits().maxConnections()).isEqualTo(7);
        assertThat(http.limits().requestHead()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void incompleteOrUnreadableTlsIsAnErrorNamingTheKey() throws Exception {
        Path cert = Files.writeString(work.resolve("cert.pem"), "x");
        assertThatThrownBy(() -> ConfigLoader.fromYaml("http:\n  tls:\n    certificate: " + cert + "\n", Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("http.tls.key");
        assertThatThrownBy(() -> ConfigLoader.fromYaml("http:\n  tls:\n    certificate: " + cert + "\n    key: /nonexistent/key.pem\n",
                Map.of())).isInstanceOf(ConfigException.class).hasMessageContaining("http.tls.key").hasMessageContaining("readable");
        assertThatThrownBy(() -> ConfigLoader.fromYaml("http:\n  tls:\n    clientcas: [" + cert + "]\n", Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("http.tls.clientcas");
        assertThatThrownBy(() -> ConfigLoader.fromYaml("http:\n  timeouts:\n    requesthead: 0s\n", Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("http.timeouts.requesthead");
        assertThatThrownBy(() -> ConfigLoader.fromYaml("http:\n  limits:\n    maxconnections: -1\n", Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("http.limits.maxconnections");
    }

    @Test
    void upstreamUrlWithCredentialsIsRefusedWithoutRepeatingThem() {
        for (String yaml : new String[] {
            "proxy:\n  remoteurl: https://robot:hunter2-secret@registry.example\n",
            "upstreams:\n  - url: https://robot:hunter2-secret@registry.example\n    prefix: r/\n",
            "upstreams:\n  - url: https://robot:hunter2-secret@registry.example/path\n    prefix: r/\n",
            "upstreams:\n  - url: \"https://robot:hunter2-secret@registry example\"\n    prefix: r/\n"}) {
            assertThatThrownBy(() -> ConfigLoader.fromYaml(yaml, Map.of()))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageNotContaining("hunter2-secret")
                    .hasMessageContaining("***@");
        }
    }
}
