package dev.fleetmirror.node;

import dev.fleetmirror.coordination.ClusterSettings;
import dev.fleetmirror.coordination.Coordination;
import dev.fleetmirror.coordination.blob.IndexedBlobs;
import dev.fleetmirror.coordination.blob.IndexedUploads;
import dev.fleetmirror.coordination.manifest.IndexedManifests;
import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.registry.Registry;
import dev.fleetmirror.core.registry.RegistrySettings;
import dev.fleetmirror.core.registry.stored.MirroredReferrers;
import dev.fleetmirror.core.registry.stored.SessionLimitedUploads;
import dev.fleetmirror.core.registry.stored.StoredRegistry;
import dev.fleetmirror.core.storage.StorageDriver;
import dev.fleetmirror.gc.expiry.PullRecorder;
import dev.fleetmirror.node.config.NodeConfig;
import dev.fleetmirror.node.fill.Fill;
import dev.fleetmirror.node.mode.WriteGate;
import dev.fleetmirror.node.localcache.LocalBlobCache;
import dev.fleetmirror.node.localcache.LocalTierBlobs;
import dev.fleetmirror.node.metrics.Traffic;
import dev.fleetmirror.node.proxy.PullThroughCache;
import io.vertx.core.Vertx;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The registry a node serves, built in one place from storage outward (as Distribution's
 * {@code app.go} wires its decorators once), each layer implementing the same interfaces as the one
 * it wraps:
 * <ol>
 *   <li>stored: Distribution's layout on the storage driver;</li>
 *   <li>the upload-session limit and the cluster's manifest and blob indexes (hot manifest reads and
 *       warm blob stats skip storage; pushes, commits, mounts, links and deletes on any member, and
 *       GC sweeps, invalidate them);</li>
 *   <li>the pull-through cache, when upstreams are configured (with the referrers lists it keeps
 *       of mirrored images);</li>
 *   <li>the local disk tier of blobs, when {@code localcache:} configures one.</li>
 * </ol>
 * Fills, warm-up and the local tier's copies read the stored layers (2) directly; the tier does not
 * copy a blob while a fill of it is in flight here (readers tail the fill), and keeps the verified
 * content of every fill that ends here, so warm GETs after a cold pull read no storage.
 *
 * @param stored the storage-backed registry with its limits and index (layers 1 and 2)
 * @param cache  the pull-through cache (layer 3), when the node mirrors anything
 * @param served what the HTTP endpoints serve (the outermost layer)
 */
record RegistryStack(Registry stored, Optional<PullThroughCache> cache, Registry served) {

    static RegistryStack build(Vertx vertx, NodeConfig config, StorageDriver driver, Coordination coordination,
                               Optional<PullRecorder> pulls, Traffic traffic, Optional<LocalBlobCache> localCache) {
        Registry onStorage = StoredRegistry.create(driver, new RegistrySettings(config.storage().deleteEnabled()));
        Registry stored = new Registry(new IndexedBlobs(onStorage.blobs(), coordination.blobIndex()),
                new IndexedUploads(new SessionLimitedUploads(onStorage.uploads(), driver,
                        config.http().limits().uploadSessions()), coordination.blobIndex()),
                new IndexedManifests(onStorage.manifests(), coordination.manifestIndex()),
                onStorage.tags(), onStorage.catalog(), onStorage.referrers());
        Optional<PullThroughCache> cache = pulls.map(recorder -> PullThroughCache.create(vertx, vertx.getOrCreateContext(),
                config.proxy(), stored, coordination, config.cluster().orElseGet(ClusterSettings::standalone), recorder,
                WriteGate.of(config.storage().readOnly(), coordination.mode(), config.gc().maxHold()), traffic,
                new MirroredReferrers(driver),
                localCache.<Consumer<Fill>>map(tier -> fill -> tier.adopt(fill.digest(), fill.spool())).orElse(fill -> { })));
        Registry mirrored = cache.map(PullThroughCache::registry).orElse(stored);
        Predicate<Digest> filling = cache.<Predicate<Digest>>map(c -> c.fills()::inFlight).orElse(digest -> false);
        Registry served = localCache.map(tier -> new Registry(new LocalTierBlobs(mirrored.blobs(), stored.blobs(), tier, filling),
                mirrored.uploads(), mirrored.manifests(), mirrored.tags(), mirrored.catalog(), mirrored.referrers()))
                .orElse(mirrored);
        return new RegistryStack(stored, cache, served);
    }

    /** The registry with the pull-through cache but without the local tier: what warm-up fetches through. */
    Registry mirrored() {
        return cache.map(PullThroughCache::registry).orElse(stored);
    }
}
