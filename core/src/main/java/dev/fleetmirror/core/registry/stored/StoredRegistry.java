package dev.fleetmirror.core.registry.stored;

import dev.fleetmirror.core.registry.Registry;
import dev.fleetmirror.core.registry.RegistrySettings;
import dev.fleetmirror.core.storage.StorageDriver;

/** Wires the storage-backed services over one driver. */
public final class StoredRegistry {
    private StoredRegistry() {
    }

    public static Registry create(StorageDriver driver, RegistrySettings settings) {
        StoredBlobs blobs = new StoredBlobs(driver, settings);
        StoredTags tags = new StoredTags(driver);
        return new Registry(blobs, new StoredUploads(driver, blobs), new StoredManifests(driver, settings, blobs, tags),
                tags, new StoredCatalog(driver), new StoredReferrers(driver));
    }
}
