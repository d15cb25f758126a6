package dev.fleetmirror.node.config;

import java.util.Locale;
import java.util.Objects;

/** Distribution's {@code log} section; only {@code log.level} is honoured. */
public record LogConfig(Level level) {

    /** Distribution's (logrus) level names that logback can express. */
    public enum Level {
        ERROR, WARN, INFO, DEBUG, TRACE;

        static Level parse(String key, String value) {
            String v = value.trim().toLowerCase(Locale.ROOT);
            return switch (v) {
                case "panic", "fatal", "error" -> ERROR;
                case "warn", "warning" -> WARN;
                case "info" -> INFO;
                case "debug" -> DEBUG;
                case "trace" -> TRACE;
                default -> throw new ConfigException(key, "'" + value
                        + "' is not a log level; use error, warn, info, debug or trace");
            };
        }
    }

    public LogConfig {
        Objects.requireNonNull(level, "level");
    }

    public static LogConfig defaults() {
        return new LogConfig(Level.INFO);
    }
}
