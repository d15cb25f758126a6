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
 * @param markMillis         the mark (listings, index, manifests not indexed yet, the blob listing)
 * @param sweepMillis        the re-mark from the journal, the unlinks and the deletes
 * @param manifestsRead      manifests read from storage (those not in the reference index)
 * @param manifestsReadInSweep of those, read in the sweep (written while the mark ran)
 * @param journaled          paths the journal recorded while the mark ran
 * @param remarkMillis       the re-mark from the journal
 * @param blobsRecent        blobs kept because a layer link to them was written since the previous run
 * @param blobsKeptForPushes unreferenced blobs kept because a push was told of them within its push window
 * @param requests           storage requests by kind (those the driver counts: S3's)
 */
public record GcReport(boolean dryRun, int repositories, long manifestsMarked, long blobsMarked, long manifestsDeleted,
                       long blobsDeleted, long bytesFreed, long blobsSpared, long layerLinksDeleted,
                       long markMillis, long sweepMillis, long manifestsRead, long manifestsReadInSweep, long journaled,
                       long remarkMillis, long blobsRecent, long blobsKeptForPushes,
                       java.util.Map<String, Long> requests) {

    public long totalMillis() {
        return markMillis + sweepMillis;
    }
}
