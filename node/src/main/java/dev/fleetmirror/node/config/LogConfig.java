package dev.fleetmirror.node.config;

import java.util.Locale;
import java.util.Objects;

/**
 * Distribution's {@code log} section: {@code log.level}, {@code log.formatter} ({@code text}, or
 * {@code json} (also {@code logstash}) for one JSON object per line) and
 * {@code log.accesslog.disabled} (the access log, one line per request on the logger
 * {@code fleetmirror.access}, is on by default).
 */
public record LogConfig(Level level, boolean accessLog, Format format) {

    /** How each line is written. */
    public enum Format {
        TEXT, JSON;

        static Format parse(String key, String value) {
            return switch (value.trim().toLowerCase(Locale.ROOT)) {
                case "text" -> TEXT;
                case "json", "logstash" -> JSON;
                default -> throw new ConfigException(key, "'" + value + "' is not a log format; use text or json");
            };
        }
    }

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
        Objects.requireNonNull(format, "format");
    }

    public LogConfig(Level level) {
        this(level, true, Format.TEXT);
    }

    public static LogConfig defaults() {
        return new LogConfig(Level.INFO);
    }
}
