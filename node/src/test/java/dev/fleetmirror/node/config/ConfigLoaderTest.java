package dev.fleetmirror.node.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import dev.fleetmirror.node.testing.CapturedLogs;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    @RegisterExtension
    final CapturedLogs logs = new CapturedLogs(ConfigLoader.class);

    @Test
    void withoutFileTheNodeListensOnLoopbackAndStoresInData() {
        NodeConfig config = ConfigLoader.load(Optional.empty(), Map.of());
        assertThat(config.http().host()).isEqualTo("127.0.0.1");
        assertThat(config.http().port()).isEqualTo(5000);
        assertThat(config.storage().backend()).isEqualTo(new StorageBackend.Filesystem(Path.of("data")));
        assertThat(config.storage().deleteEnabled()).isTrue();
        assertThat(config.storage().readOnly()).isFalse();
        assertThat(config.storage().redirectDisabled()).isTrue();
        assertThat(config.log().level()).isEqualTo(LogConfig.Level.INFO);
        assertThat(config.proxy().upstreams()).singleElement().satisfies(upstream -> {
            assertThat(upstream.url().toString()).isEqualTo("https://registry-1.docker.io");
            assertThat(upstream.prefix()).isEqualTo("docker.io/");
            assertThat(upstream.isDockerHub()).isTrue();
        });
        assertThat(config.withProxy(ProxyConfig.none())).isEqualTo(NodeConfig.defaults());
    }

    @Test
    void aConfigurationFileWithoutProxyKeysMirrorsNothing(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("config.yml");
        Files.writeString(file, "version: 0.1\n");
        assertThat(ConfigLoader.load(Optional.of(file), Map.of()).proxy().enabled()).isFalse();
    }

    @Test
    void distributionKeysAreRead(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("config.yml");
        Files.writeString(file, """
                version: 0.1
                log:
                  level: debug
                http:
                  addr: 127.0.0.1:5999
                  secret: s3cret
                storage:
                  filesystem:
                    rootdirectory: /var/lib/registry
                  delete:
                    enabled: false
                  maintenance:
                    readonly:
                      enabled: true
                  redirect:
                    disable: true
                """);
        NodeConfig config = ConfigLoader.load(Optional.of(file), Map.of());
        assertThat(config.log().level()).isEqualTo(LogConfig.Level.DEBUG);
        assertThat(config.http()).isEqualTo(new HttpConfig("127.0.0.1", 5999, Optional.of("s3cret")));
        assertThat(config.storage()).isEqualTo(new StorageConfig(
                new StorageBackend.Filesystem(Path.of("/var/lib/registry")), false, true, true));
        assertThat(logs.events()).isEmpty();
    }

    @Test
    void portOnlyAddressListensOnAllInterfaces() {
        NodeConfig config = ConfigLoader.fromYaml("http:\n  addr: :5000\n", Map.of());
        assertThat(config.http().host()).isEqualTo("0.0.0.0");
        assertThat(config.http().port()).isEqualTo(5000);
    }

    @Test
    void environmentOverridesTheFileLikeDistribution() {
        NodeConfig config = ConfigLoader.fromYaml("""
                http:
                  addr: 127.0.0.1:5000
                storage:
                  filesystem:
                    rootdirectory: /from/file
                """, Map.of(
                "REGISTRY_HTTP_ADDR", "127.0.0.1:6000",
                "REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY", "/from/env",
                "REGISTRY_STORAGE_DELETE_ENABLED", "false",
                "REGISTRY_LOG_LEVEL", "warn",
                "PATH", "/usr/bin"));
        assertThat(config.http().port()).isEqualTo(6000);
        assertThat(config.storage().backend()).isEqualTo(new StorageBackend.Filesystem(Path.of("/from/env")));
        assertThat(config.storage().deleteEnabled()).isFalse();
        assertThat(config.log().level()).isEqualTo(LogConfig.Level.WARN);
    }

    @Test
    void environmentAloneConfiguresANodeWithoutFile() {
        NodeConfig config = ConfigLoader.load(Optional.empty(), Map.of(
                "REGISTRY_STORAGE_MAINTENANCE_READONLY_ENABLED", "true",
                "REGISTRY_CONFIGURATION_PATH", "/etc/elsewhere.yml"));
        assertThat(config.storage().readOnly()).isTrue();
        assertThat(logs.events()).isEmpty();
    }

    @Test
    void unknownDistributionKeysAreAcceptedWithOneWarningEach() {
        NodeConfig config = ConfigLoader.fromYaml("""
                version: 0.1
                http:
                  addr: 127.0.0.1:5001
                  headers:
                    X-Content-Type-Options: [nosniff]
                storage:
                  filesystem:
                    rootdirectory: /data
                    maxthreads: 100
                  cache:
                    blobdescriptor: inmemory
                  tag:
                    concurrencylimit: 8
                notifications:
                  endpoints:
                    - name: alistener
                      url: https://example.com/listen
                health:
                  storagedriver:
                    enabled: true
                validation:
                  disabled: true
                """, Map.of("REGISTRY_REPORTING_NEWRELIC_NAME", "registry"));
        assertThat(config.http().port()).isEqualTo(5001);
        List<String> warnings = logs.messages();
        assertThat(warnings).hasSize(8);
        for (String key : List.of("'http.headers'", "'storage.filesystem.maxthreads'", "'storage.cache'",
                "'storage.tag'", "'notifications'", "'health'", "'validation'", "'reporting'")) {
            assertThat(warnings).anySatisfy(w -> assertThat(w).contains(key));
        }
    }

    @Test
    void logSectionKeys() {
        LogConfig defaults = ConfigLoader.fromYaml("version: 0.1\n", Map.of()).log();
        assertThat(defaults.format()).isEqualTo(LogConfig.Format.TEXT);
        assertThat(defaults.accessLog()).isTrue();
        LogConfig set = ConfigLoader.fromYaml("log:\n  level: warn\n  formatter: logstash\n  accesslog:\n    disabled: true\n",
                Map.of()).log();
        assertThat(set.level()).isEqualTo(LogConfig.Level.WARN);
        assertThat(set.format()).isEqualTo(LogConfig.Format.JSON);
        assertThat(set.accessLog()).isFalse();
    }

    @Test
    void theNativeTransportIsPreferredUnlessTurnedOff() {
        assertThat(ConfigLoader.fromYaml("version: 0.1\n", Map.of()).http().nativeTransport()).isTrue();
        assertThat(ConfigLoader.fromYaml("http:\n  nativetransport: false\n", Map.of()).http().nativeTransport()).isFalse();
        assertThat(ConfigLoader.fromYaml("version: 0.1\n", Map.of("REGISTRY_HTTP_NATIVETRANSPORT", "false")).http()
                .nativeTransport()).isFalse();
        assertThatThrownBy(() -> ConfigLoader.fromYaml("http:\n  nativetransport: sometimes\n", Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("http.nativetransport");
    }

    @Test
    void eachProcessorGetsAnEventLoopUnlessConfigured() {
        assertThat(ConfigLoader.fromYaml("version: 0.1\n", Map.of()).http().eventLoops())
                .isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(ConfigLoader.fromYaml("http:\n  eventloops: 3\n", Map.of()).http().eventLoops()).isEqualTo(3);
        assertThat(ConfigLoader.fromYaml("version: 0.1\n", Map.of("REGISTRY_HTTP_EVENTLOOPS", "1")).http().eventLoops())
                .isEqualTo(1);
        assertThatThrownBy(() -> ConfigLoader.fromYaml("http:\n  eventloops: 0\n", Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("http.eventloops").hasMessageContaining("at least 1");
        assertThatThrownBy(() -> ConfigLoader.fromYaml("http:\n  eventloops: many\n", Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("http.eventloops")
                .hasMessageContaining("not a whole number");
    }

    @Test
    void invalidValuesNameTheirKey() {
        assertThatThrownBy(() -> ConfigLoader.fromYaml("storage:\n  delete:\n    enabled: maybe\n", Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("storage.delete.enabled")
                .hasMessageContaining("maybe");
        assertThatThrownBy(() -> ConfigLoader.fromYaml("http:\n  addr: localhost\n", Map.of()))
                .hasMessageContaining("http.addr");
        assertThatThrownBy(() -> ConfigLoader.fromYaml("http:\n  addr: 127.0.0.1:99999\n", Map.of()))
                .hasMessageContaining("http.addr").hasMessageContaining("99999");
        assertThatThrownBy(() -> ConfigLoader.fromYaml("log:\n  level: loud\n", Map.of()))
                .hasMessageContaining("log.level");
        assertThatThrownBy(() -> ConfigLoader.fromYaml("log:\n  formatter: xml\n", Map.of()))
                .hasMessageContaining("log.formatter").hasMessageContaining("xml");
        assertThatThrownBy(() -> ConfigLoader.fromYaml("version: 2\n", Map.of()))
                .hasMessageContaining("version");
        assertThatThrownBy(() -> ConfigLoader.fromYaml("storage:\n  filesystem: {}\n", Map.of()))
                .hasMessageContaining("storage.filesystem.rootdirectory");
        assertThatThrownBy(() -> ConfigLoader.fromYaml("http:\n  addr:\n    port: 5000\n", Map.of()))
                .hasMessageContaining("http.addr");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of("REGISTRY_STORAGE_DELETE_ENABLED", "nope")))
                .hasMessageContaining("storage.delete.enabled");
    }

    @Test
    void missingOrMalformedFileIsAClearError(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("absent.yml");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.of(missing), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining(missing.toString()).hasMessageContaining("does not exist");
        Path broken = dir.resolve("broken.yml");
        Files.writeString(broken, "http:\n  addr: [unclosed\n");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.of(broken), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining(broken.toString()).hasMessageContaining("YAML");
    }
}
