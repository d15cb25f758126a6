package dev.fleetmirror.node.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code proxy.ttl} and {@code storage.maintenance.uploadpurging}, with Distribution's defaults. */
class MaintenanceConfigTest {

    @Test
    void uploadPurgingDefaultsToDistributions() {
        UploadPurgingConfig purging = ConfigLoader.fromYaml("version: 0.1\n", Map.of()).storage().uploadPurging();

        assertThat(purging).isEqualTo(new UploadPurgingConfig(true, Duration.ofHours(168), Duration.ofHours(24), false));
    }

    @Test
    void uploadPurgingKeysAreRead() {
        UploadPurgingConfig purging = ConfigLoader.fromYaml("""
                storage:
                  maintenance:
                    uploadpurging:
                      enabled: false
                      age: 72h
                      interval: 1h30m
                      dryrun: true
                """, Map.of()).storage().uploadPurging();

        assertThat(purging).isEqualTo(new UploadPurgingConfig(false, Duration.ofHours(72), Duration.ofMinutes(90), true));
    }

    @Test
    void uploadPurgingIsOverriddenFromTheEnvironment() {
        UploadPurgingConfig purging = ConfigLoader.fromYaml("version: 0.1\n",
                Map.of("REGISTRY_STORAGE_MAINTENANCE_UPLOADPURGING_AGE", "2h")).storage().uploadPurging();

        assertThat(purging.age()).isEqualTo(Duration.ofHours(2));
    }

    @Test
    void badUploadPurgingValuesNameTheirKey() {
        assertThatThrownBy(() -> ConfigLoader.fromYaml(
                "storage:\n  maintenance:\n    uploadpurging:\n      age: a week\n", Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("storage.maintenance.uploadpurging.age")
                .hasMessageContaining("a week");
        assertThatThrownBy(() -> ConfigLoader.fromYaml(
                "storage:\n  maintenance:\n    uploadpurging:\n      interval: 0\n", Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("storage.maintenance.uploadpurging.interval");
        assertThatThrownBy(() -> ConfigLoader.fromYaml(
                "storage:\n  maintenance:\n    uploadpurging:\n      dryrun: perhaps\n", Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("storage.maintenance.uploadpurging.dryrun");
    }

    @Test
    void cacheTtlIsDistributions168HoursUnlessSetAndZeroDisablesIt() {
        assertThat(ConfigLoader.fromYaml("version: 0.1\n", Map.of()).proxy().cacheTtl()).isEqualTo(Duration.ofHours(168));
        assertThat(ConfigLoader.fromYaml("proxy:\n  ttl: 24h\n", Map.of()).proxy().cacheTtl()).isEqualTo(Duration.ofHours(24));
        assertThat(ConfigLoader.fromYaml("proxy:\n  ttl: 0\n", Map.of()).proxy().cacheTtl()).isZero();
        assertThatThrownBy(() -> ConfigLoader.fromYaml("proxy:\n  ttl: forever\n", Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("proxy.ttl");
    }
}
