package dev.fleetmirror.gc.purge;

import java.time.Duration;

/**
 * What one purge did (or, dry, would have done).
 *
 * @param sessionsFound   upload sessions seen under every repository
 * @param sessionsRemoved sessions older than the age, deleted (or, dry, that would be)
 */
public record PurgeReport(boolean dryRun, int sessionsFound, int sessionsRemoved, Duration duration) {
}
