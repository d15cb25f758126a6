package dev.fleetmirror.node.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fleetmirror.storage.s3.S3StorageConfig;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code storage.s3} in a Distribution-style config.yml selects the S3 driver with its keys. */
class S3ConfigLoadingTest {
    private static final String S3_YAML = """
            storage:
              s3:
                accesskey: AKIA
                secretkey: secret
                region: eu-central-1
                regionendpoint: http://127.0.0.1:9000
                bucket: registry
                rootdirectory: /fleet
                forcepathstyle: true
                secure: false
                chunksize: 20971520
                presignendpoint: https://s3.example.com
            """;

    @Test
    void storageS3SelectsTheS3BackendWithDistributionsKeys() {
        NodeConfig config = ConfigLoader.fromYaml(S3_YAML, Map.of());

        assertThat(config.storage().backend()).isInstanceOf(StorageBackend.S3.class);
        S3StorageConfig s3 = ((StorageBackend.S3) config.storage().backend()).config();
        assertThat(s3.bucket()).isEqualTo("registry");
        assertThat(s3.region()).isEqualTo("eu-central-1");
        assertThat(s3.regionEndpoint()).contains(URI.create("http://127.0.0.1:9000"));
        assertThat(s3.presignEndpoint()).contains(URI.create("https://s3.example.com"));
        assertThat(s3.rootDirectory()).isEqualTo("/fleet");
        assertThat(s3.forcePathStyle()).isTrue();
        assertThat(s3.chunkSize()).isEqualTo(20 * S3StorageConfig.MIB);
        assertThat(config.storage().redirectDisabled()).as("redirects are opt-in").isTrue();
    }

    @Test
    void environmentOverridesReachTheS3Keys() {
        NodeConfig config = ConfigLoader.fromYaml(S3_YAML, Map.of("REGISTRY_STORAGE_S3_BUCKET", "other"));

        assertThat(((StorageBackend.S3) config.storage().backend()).config().bucket()).isEqualTo("other");
    }

    @Test
    void badS3ValuesStopStartUpNamingTheKey() {
        assertThatThrownBy(() -> ConfigLoader.fromYaml("storage:\n  s3:\n    bucket: b\n    chunksize: 1024\n", Map.of()))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).key()).isEqualTo("storage.s3.chunksize"));
        assertThatThrownBy(() -> ConfigLoader.fromYaml("storage:\n  s3:\n    region: x\n", Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("storage.s3.bucket");
    }

    @Test
    void twoBackendsAreRefused() {
        assertThatThrownBy(() -> ConfigLoader.fromYaml(
                "storage:\n  filesystem:\n    rootdirectory: /x\n  s3:\n    bucket: b\n", Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("not both");
    }
}
