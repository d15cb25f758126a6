package dev.fleetmirror.gc;

/**
 * What one collection did (or, in a dry run, would do).
 *
 * @param repositories       repositories visited
 * @param manifestsMarked    manifests kept
 * @param blobsMarked        distinct blobs referenced by kept manifests (manifests included)
 * @param manifestsDeleted   untagged manifests unlinked ({@code deleteUntagged})
 * @param blobsDeleted       blobs deleted (eligible, in a dry run)
 * @param bytesFreed         their bytes
 * @param blobsSpared        unreferenced blobs kept because they are younger than the grace window
 * @param layerLinksDeleted  repository layer links to deleted blobs removed
 */
public record GcReport(boolean dryRun, int repositories, long manifestsMarked, long blobsMarked, long manifestsDeleted,
                       long blobsDeleted, long bytesFreed, long blobsSpared, long layerLinksDeleted,
                       long markMillis, long sweepMillis) {

    public long totalMillis() {
        return markMillis + sweepMillis;
    }
}
