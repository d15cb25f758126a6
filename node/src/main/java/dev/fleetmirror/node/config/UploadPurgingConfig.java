package dev.fleetmirror.node.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Distribution's {@code storage.maintenance.uploadpurging}, with its defaults: upload sessions older
 * than {@code age} are removed every {@code interval} (first shortly after start-up).
 *
 * @param dryRun only log what would be removed
 */
public record UploadPurgingConfig(boolean enabled, Duration age, Duration interval, boolean dryRun) {

    public static final Duration DEFAULT_AGE = Duration.ofHours(168);
    public static final Duration DEFAULT_INTERVAL = Duration.ofHours(24);

    public UploadPurgingConfig {
        Objects.requireNonNull(age, "age");
        Objects.requireNonNull(interval, "interval");
    }

    public static UploadPurgingConfig defaults() {
        return new UploadPurgingConfig(true, DEFAULT_AGE, DEFAULT_INTERVAL, false);
    }

    /** Reads {@code storage.maintenance.uploadpurging}; a value that cannot be used is an error naming its key. */
    static UploadPurgingConfig read(ConfigTree tree) {
        String key = "storage.maintenance.uploadpurging";
        boolean enabled = tree.bool(key + ".enabled", true);
        Duration age = positive(tree, key + ".age", DEFAULT_AGE);
        Duration interval = positive(tree, key + ".interval", DEFAULT_INTERVAL);
        boolean dryRun = tree.bool(key + ".dryrun", false);
        return new UploadPurgingConfig(enabled, age, interval, dryRun);
    }

    private static Duration positive(ConfigTree tree, String key, Duration fallback) {
        Duration value = tree.text(key).map(v -> ProxyConfigReader.duration(key, v)).orElse(fallback);
        if (value.isZero()) {
            throw new ConfigException(key, "must be longer than 0, such as " + fallback.toHours() + "h");
        }
        return value;
    }
}
