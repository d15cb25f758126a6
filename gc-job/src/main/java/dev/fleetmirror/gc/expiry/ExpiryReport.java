package dev.fleetmirror.gc.expiry;

import dev.fleetmirror.core.name.RepositoryName;
import java.util.List;

/**
 * What one expiry run did (or, dry, would have done).
 *
 * @param repositoriesVisited mirrored repositories examined
 * @param manifestsUnlinked   revision links removed
 * @param tagsUnlinked        tags removed because they pointed at an unlinked manifest
 * @param manifestsKept       manifests of mirrored repositories pulled within the TTL
 * @param changed             repositories whose manifests changed, for the caller to invalidate caches of
 * @param durationMillis      how long the run took; a number, so that any JSON mapper writes it as one
 */
public record ExpiryReport(boolean dryRun, int repositoriesVisited, int manifestsUnlinked, int tagsUnlinked,
                           int manifestsKept, List<RepositoryName> changed, long durationMillis) {

    public ExpiryReport {
        changed = List.copyOf(changed);
    }

    static ExpiryReport disabled(boolean dryRun) {
        return new ExpiryReport(dryRun, 0, 0, 0, 0, List.of(), 0);
    }
}
