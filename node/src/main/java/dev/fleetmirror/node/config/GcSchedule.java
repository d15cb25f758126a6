package dev.fleetmirror.node.config;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Objects;

/**
 * When the cluster collects garbage by itself ({@code gc.schedule}): {@code daily HH:MM} (UTC) or
 * {@code every <duration>} (Go syntax, counted from the Unix epoch, so every member computes the
 * same instants). Only the oldest member acts on it.
 */
public sealed interface GcSchedule {

    /** The first instant strictly after {@code now} at which a run is due. */
    Instant next(Instant now);

    record Daily(LocalTime at) implements GcSchedule {
        public Daily {
            Objects.requireNonNull(at, "at");
        }

        @Override
        public Instant next(Instant now) {
            ZonedDateTime today = now.atZone(ZoneOffset.UTC).with(at);
            ZonedDateTime due = today.toInstant().isAfter(now) ? today : today.plusDays(1);
            return due.toInstant();
        }

        @Override
        public String toString() {
            return "daily " + at + " UTC";
        }
    }

    record Every(Duration period) implements GcSchedule {
        public Every {
            if (period.compareTo(Duration.ofMinutes(1)) < 0) {
                throw new IllegalArgumentException("a GC period below one minute");
            }
        }

        @Override
        public Instant next(Instant now) {
            long periodMillis = period.toMillis();
            long slots = Math.floorDiv(now.toEpochMilli(), periodMillis) + 1;
            return Instant.ofEpochMilli(slots * periodMillis);
        }

        @Override
        public String toString() {
            return "every " + period;
        }
    }

    /** Parses the value of {@code key}; a mistake names the key and the forms it accepts. */
    static GcSchedule parse(String key, String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        String forms = "; use 'daily HH:MM' (UTC, e.g. daily 03:30) or 'every <duration>' (e.g. every 6h, at least 1m)";
        if (v.startsWith("daily ")) {
            try {
                return new Daily(LocalTime.parse(v.substring("daily ".length()).trim()));
            } catch (DateTimeParseException e) {
                throw new ConfigException(key, "'" + value + "' has no time of day HH:MM" + forms);
            }
        }
        if (v.startsWith("every ")) {
            Duration period = ProxyConfigReader.duration(key, v.substring("every ".length()));
            if (period.compareTo(Duration.ofMinutes(1)) < 0) {
                throw new ConfigException(key, "'" + value + "' is more often than once a minute" + forms);
            }
            return new Every(period);
        }
        throw new ConfigException(key, "'" + value + "' is not a schedule" + forms);
    }
}
