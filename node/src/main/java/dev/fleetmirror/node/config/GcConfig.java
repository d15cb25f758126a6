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
 * @param maxHold        {@code gc.maxhold}: how long a write waits out a GC's read-only window
 *                       before it is refused (default 30s; 0 refuses at once, as before online GC)
 * @param pushWindow     {@code gc.pushwindow}: how long a blob a push was told of (found by a HEAD,
 *                       uploaded, mounted) is kept whatever {@code grace} says, so that the push's
 *                       manifest finds it (default 1h; 0: only {@code grace} keeps young blobs)
 */
public record GcConfig(Optional<GcSchedule> schedule, boolean deleteUntagged, Duration grace, Duration maxHold,
                       Duration pushWindow) {
    public static final Duration DEFAULT_GRACE = Duration.ofHours(1);
    public static final Duration DEFAULT_MAX_HOLD = Duration.ofSeconds(30);
    public static final Duration DEFAULT_PUSH_WINDOW = Duration.ofHours(1);

    public GcConfig {
        Objects.requireNonNull(schedule, "schedule");
        Objects.requireNonNull(grace, "grace");
        Objects.requireNonNull(maxHold, "maxHold");
        Objects.requireNonNull(pushWindow, "pushWindow");
        if (grace.isNegative()) {
            throw new IllegalArgumentException("negative grace window " + grace);
        }
        if (maxHold.isNegative()) {
            throw new IllegalArgumentException("negative gc.maxhold " + maxHold);
        }
        if (pushWindow.isNegative()) {
            throw new IllegalArgumentException("negative gc.pushwindow " + pushWindow);
        }
    }

    public GcConfig(Optional<GcSchedule> schedule, boolean deleteUntagged, Duration grace, Duration maxHold) {
        this(schedule, deleteUntagged, grace, maxHold, DEFAULT_PUSH_WINDOW);
    }

    public GcConfig(Optional<GcSchedule> schedule, boolean deleteUntagged, Duration grace) {
        this(schedule, deleteUntagged, grace, DEFAULT_MAX_HOLD);
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
        Duration maxHold = tree.text("gc.maxhold").map(v -> ProxyConfigReader.duration("gc.maxhold", v)).orElse(DEFAULT_MAX_HOLD);
        if (maxHold.isNegative()) {
            throw new ConfigException("gc.maxhold", "must not be negative");
        }
        Duration pushWindow = tree.text("gc.pushwindow").map(v -> ProxyConfigReader.duration("gc.pushwindow", v))
                .orElse(DEFAULT_PUSH_WINDOW);
        if (pushWindow.isNegative()) {
            throw new ConfigException("gc.pushwindow", "must not be negative");
        }
        return new GcConfig(schedule, deleteUntagged, grace, maxHold, pushWindow);
    }
}
