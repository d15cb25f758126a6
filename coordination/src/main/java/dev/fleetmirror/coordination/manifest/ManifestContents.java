package dev.fleetmirror.coordination.manifest;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.registry.StoredManifest;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Manifest bytes by digest, in this member's memory, the least recently used dropped past a byte
 * budget. Content named by its digest never changes, so nothing here needs invalidating: whether a
 * repository still holds a manifest is the {@link ManifestIndex}'s question.
 */
final class ManifestContents {
    private final long budgetBytes;
    private final long largestBytes;
    private final LinkedHashMap<Digest, StoredManifest> byDigest = new LinkedHashMap<>(16, 0.75f, true);
    private long bytes;

    /** @param budgetBytes total bytes kept; a manifest larger than a sixteenth of it is not kept */
    ManifestContents(long budgetBytes) {
        this.budgetBytes = budgetBytes;
        this.largestBytes = budgetBytes / 16;
    }

    synchronized Optional<StoredManifest> get(Digest digest) {
        return Optional.ofNullable(byDigest.get(digest));
    }

    synchronized void put(StoredManifest manifest) {
        int size = manifest.content().length;
        if (size > largestBytes || byDigest.containsKey(manifest.digest())) {
            return;
        }
        byDigest.put(manifest.digest(), manifest);
        bytes += size;
        Iterator<Map.Entry<Digest, StoredManifest>> eldest = byDigest.entrySet().iterator();
        while (bytes > budgetBytes && eldest.hasNext()) {
            bytes -= eldest.next().getValue().content().length;
            eldest.remove();
        }
    }
}
