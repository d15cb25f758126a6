package dev.fleetmirror.coordination.gc;

import java.time.Instant;
import java.util.Objects;

/**
 * The cluster's garbage-collection run in progress.
 *
 * @param runId    unique per run
 * @param memberId the member that runs it
 * @param started  when it was claimed
 * @param trigger  what started it ({@code schedule}, {@code admin}, ...)
 * @param phase    where it is now ({@code claimed}, {@code read-only}, {@code expiry}, {@code mark}, {@code sweep}, ...)
 */
public record GcRunInfo(String runId, String memberId, Instant started, String trigger, String phase) {
    private static final String SEPARATOR = "\u001f";

    public GcRunInfo {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(memberId, "memberId");
        Objects.requireNonNull(started, "started");
        Objects.requireNonNull(trigger, "trigger");
        Objects.requireNonNull(phase, "phase");
    }

    public GcRunInfo inPhase(String next) {
        return new GcRunInfo(runId, memberId, started, trigger, next);
    }

    /** One string, so the shared map needs no serializer of ours on its classpath. */
    String encode() {
        return String.join(SEPARATOR, runId, memberId, Long.toString(started.toEpochMilli()), trigger, phase);
    }

    static GcRunInfo decode(String value) {
        String[] parts = value.split(SEPARATOR, -1);
        if (parts.length != 5) {
            throw new IllegalArgumentException("not a GC run entry: " + value);
        }
        return new GcRunInfo(parts[0], parts[1], Instant.ofEpochMilli(Long.parseLong(parts[2])), parts[3], parts[4]);
    }
}
