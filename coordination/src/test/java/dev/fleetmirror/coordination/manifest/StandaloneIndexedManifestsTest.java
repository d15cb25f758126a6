package dev.fleetmirror.coordination.manifest;

import dev.fleetmirror.coordination.SharedCaches;
import dev.fleetmirror.coordination.expiring.LocalExpiringMap;
import java.time.Duration;

/** One node's request threads share one in-memory index (both "members" here use it). */
class StandaloneIndexedManifestsTest extends IndexedManifestsContract {
    private final ManifestIndex index = SharedCaches.standalone("local").manifestIndex();

    @Override
    ManifestIndex index(int member) {
        return index;
    }

    private ManifestIndex shortLived;

    @Override
    ManifestIndex index(int member, Duration ttl) {
        if (shortLived == null) {
            shortLived = new GenerationalManifestIndex(new LocalExpiringMap(100), new LocalExpiringMap(1_000), ttl);
        }
        return shortLived;
    }
}
