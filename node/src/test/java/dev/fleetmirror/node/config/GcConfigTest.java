package dev.fleetmirror.node.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GcConfigTest {

    private static GcConfig gc(String yaml, Map<String, String> env) {
        return ConfigLoader.fromYaml(yaml, env).gc();
    }

    @Test
    void withoutAGcSectionCollectionRunsOnlyOnRequestWithAnHourOfGrace() {
        GcConfig gc = gc("version: 0.1\n", Map.of());
        assertThat(gc.schedule()).isEmpty();
        assertThat(gc.deleteUntagged()).isFalse();
        assertThat(gc.grace()).isEqualTo(Duration.ofHours(1));
        assertThat(gc.pushWindow()).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void readsThePushWindowAndRefusesANegativeOne() {
        assertThat(gc("gc:\n  grace: 0s\n  pushwindow: 10m\n", Map.of()).pushWindow()).isEqualTo(Duration.ofMinutes(10));
        assertThat(gc("version: 0.1\n", Map.of("REGISTRY_GC_PUSHWINDOW", "0s")).pushWindow()).isZero();
        assertThatThrownBy(() -> gc("gc:\n  pushwindow: -1m\n", Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("gc.pushwindow");
    }

    @Test
    void readsScheduleGraceAndDeleteUntaggedFromFileAndEnvironment() {
        GcConfig gc = gc("gc:\n  schedule: daily 03:30\n  grace: 2h\n", Map.of("REGISTRY_GC_DELETEUNTAGGED", "true"));
        assertThat(gc.schedule()).contains(new GcSchedule.Daily(LocalTime.of(3, 30)));
        assertThat(gc.grace()).isEqualTo(Duration.ofHours(2));
        assertThat(gc.deleteUntagged()).isTrue();
        assertThat(gc("gc:\n  schedule: every 6h\n", Map.of()).schedule()).contains(new GcSchedule.Every(Duration.ofHours(6)));
        assertThat(gc("gc:\n  schedule: off\n", Map.of()).schedule()).isEmpty();
    }

    @Test
    void badValuesNameTheKeyAndTheFormsAccepted() {
        assertThatThrownBy(() -> gc("gc:\n  schedule: nightly\n", Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("gc.schedule").hasMessageContaining("daily HH:MM");
        assertThatThrownBy(() -> gc("gc:\n  schedule: daily 25:00\n", Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("gc.schedule");
        assertThatThrownBy(() -> gc("gc:\n  schedule: every 10s\n", Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("once a minute");
        assertThatThrownBy(() -> gc("gc:\n  grace: soon\n", Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("gc.grace");
    }

    @Test
    void dailyRunsNextAtThatTimeTodayOrTomorrow() {
        GcSchedule daily = new GcSchedule.Daily(LocalTime.of(3, 30));
        assertThat(daily.next(Instant.parse("2026-11-28T01:00:00Z"))).isEqualTo(Instant.parse("2026-11-28T03:30:00Z"));
        assertThat(daily.next(Instant.parse("2026-11-28T03:30:00Z"))).isEqualTo(Instant.parse("2026-11-29T03:30:00Z"));
        assertThat(daily.next(Instant.parse("2026-11-28T20:00:00Z"))).isEqualTo(Instant.parse("2026-11-29T03:30:00Z"));
    }

    @Test
    void everyPeriodFallsOnTheSameInstantsForEveryMember() {
        GcSchedule every = new GcSchedule.Every(Duration.ofHours(6));
        assertThat(every.next(Instant.parse("2026-11-28T01:00:00Z"))).isEqualTo(Instant.parse("2026-11-28T06:00:00Z"));
        assertThat(every.next(Instant.parse("2026-11-28T06:00:00Z"))).isEqualTo(Instant.parse("2026-11-28T12:00:00Z"));
        assertThat(every.next(Instant.parse("2026-11-28T05:59:59.999Z"))).isEqualTo(Instant.parse("2026-11-28T06:00:00Z"));
    }
}
