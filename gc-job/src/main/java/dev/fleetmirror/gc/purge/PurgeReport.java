package dev.fleetmirror.gc.purge;

/**
 * What one purge did (or, dry, would have done).
 *
 * @param sessionsFound   upload sessions seen under every repository
 * @param sessionsRemoved sessions older than the age, deleted (or, dry, that would be)
 * @param durationMillis  how long the run took; a number, so that any JSON mapper writes it as one
 */
public record PurgeReport(boolean dryRun, int sessionsFound, int sessionsRemoved, long durationMillis) {
}
