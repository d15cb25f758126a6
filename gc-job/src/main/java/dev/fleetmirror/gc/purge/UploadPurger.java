package dev.fleetmirror.gc.purge;

import dev.fleetmirror.core.storage.FileInfo;
import dev.fleetmirror.core.storage.PathNotFoundException;
import dev.fleetmirror.core.storage.StorageDriver;
import dev.fleetmirror.core.storage.StoragePath;
import dev.fleetmirror.core.storage.StoragePaths;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Distribution's upload purging ({@code storage.maintenance.uploadpurging}): upload sessions
 * ({@code _uploads/<id>/}) started longer than {@code age} ago are deleted with what they stored.
 * A client that abandoned a push leaves them behind; nothing else ever removes them.
 *
 * <p>A session's age comes from its {@code startedat} file; without a readable one, from the
 * modification time of that file or of its data; a session with neither is a leftover and old.
 * Every repository directory is walked, not only those the catalog lists: a repository whose first
 * push was abandoned holds nothing but {@code _uploads}.
 */
public final class UploadPurger {
    private static final Logger LOG = LoggerFactory.getLogger(UploadPurger.class);
    private static final String UPLOADS = "_uploads";

    private final StorageDriver driver;
    private final Duration age;
    private final Clock clock;

    public UploadPurger(StorageDriver driver, Duration age, Clock clock) {
        if (age.isNegative() || age.isZero()) {
            throw new IllegalArgumentException("age must be positive: " + age);
        }
        this.driver = driver;
        this.age = age;
        this.clock = clock;
    }

    /** Deletes old sessions; with {@code dryRun}, only counts them. Blocks on storage. */
    public PurgeReport run(boolean dryRun) {
        long started = System.nanoTime();
        Instant cutoff = clock.instant().minus(age);
        int[] counts = new int[2];
        walk(StoragePaths.REPOSITORIES, cutoff, dryRun, counts);
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        LOG.info("{}upload purging (older than {}): {} sessions found, {} removed, {} ms", dryRun ? "dry run: " : "",
                age, counts[0], counts[1], took.toMillis());
        return new PurgeReport(dryRun, counts[0], counts[1], took.toMillis());
    }

    private void walk(String dir, Instant cutoff, boolean dryRun, int[] counts) {
        for (String child : driver.listOrEmpty(dir)) {
            String base = StoragePath.baseName(child);
            if (base.equals(UPLOADS)) {
                purge(child, cutoff, dryRun, counts);
            } else if (!base.startsWith("_")) {
                walk(child, cutoff, dryRun, counts);
            }
        }
    }

    private void purge(String uploadsDir, Instant cutoff, boolean dryRun, int[] counts) {
        for (String session : driver.listOrEmpty(uploadsDir)) {
            counts[0]++;
            Optional<Instant> startedAt = startedAt(session);
            if (startedAt.isPresent() && !startedAt.get().isBefore(cutoff)) {
                continue;
            }
            LOG.info("{}removing upload {}, started {}", dryRun ? "dry run: " : "", session,
                    startedAt.map(Instant::toString).orElse("at an unknown time"));
            if (!dryRun) {
                try {
                    driver.delete(session);
                } catch (PathNotFoundException e) {
                    // Completed or cancelled meanwhile.
                }
            }
            counts[1]++;
        }
    }

    private Optional<Instant> startedAt(String session) {
        String startedAtFile = StoragePath.child(session, "startedat");
        try {
            String text = new String(driver.getContent(startedAtFile), StandardCharsets.US_ASCII).trim();
            return Optional.of(OffsetDateTime.parse(text).toInstant());
        } catch (PathNotFoundException | DateTimeParseException e) {
            return modified(startedAtFile).or(() -> modified(StoragePath.child(session, "data")));
        }
    }

    private Optional<Instant> modified(String path) {
        try {
            FileInfo info = driver.stat(path);
            return info.directory() ? Optional.empty() : Optional.of(info.modifiedAt());
        } catch (PathNotFoundException e) {
            return Optional.empty();
        }
    }
}
