package dev.fleetmirror.node.config;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code gc:} section: when the cluster collects garbage by itself, and how.
 *
 * @param schedule       {@code gc.schedule}; empty: only on {@code POST /admin/v1/gc}
 * @param deleteUntagged {@code gc.deleteuntagged}: also delete manifests no tag reaches
 * @param grace          {@code gc.grace}: unreferenced blobs younger than this are kept (default 1h)
 */
public record GcConfig(Optional<GcSchedule> schedule, boolean deleteUntagged, Duration grace) {
    public static final Duration DEFAULT_GRACE = Duration.ofHours(1);

    public GcConfig {
        Objects.requireNonNull(schedule, "schedule");
        Objects.requireNonNull(grace, "grace");
        if (grace.isNegative()) {
            throw new IllegalArgumentException("negative grace window " + grace);
        }
    }

    public static GcConfig defaults() {
        return new GcConfig(Optional.empty(), false, DEFAULT_GRACE);
    }

    static GcConfig read(ConfigTree tree) {
        // YAML reads an unquoted off as false.
        Optional<GcSchedule> schedule = tree.text("gc.schedule").map(String::trim)
                .filter(v -> !v.isEmpty() && !v.equalsIgnoreCase("off") && !v.equalsIgnoreCase("false"))
                .map(v -> GcSchedule.parse("gc.schedule", v));
        boolean deleteUntagged = tree.bool("gc.deleteuntagged", false);
        Duration grace = tree.text("gc.grace").map(v -> ProxyConfigReader.duration("gc.grace", v)).orElse(DEFAULT_GRACE);
        if (grace.isNegative()) {
            throw new ConfigException("gc.grace", "must not be negative");
        }
        return new GcConfig(schedule, deleteUntagged, grace);
    }
}
