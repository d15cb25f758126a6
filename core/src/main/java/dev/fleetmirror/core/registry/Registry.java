package dev.fleetmirror.core.registry;

import dev.fleetmirror.core.registry.stored.StoredRegistry;
import dev.fleetmirror.core.storage.StorageDriver;

/**
 * The registry services of one storage backend, grouped. The node's HTTP routes and, later, the
 * proxy decorators work against these interfaces only.
 */
public record Registry(Blobs blobs, Uploads uploads, Manifests manifests, Tags tags, Catalog catalog,
                       Referrers referrers) {

    /** The registry stored in Distribution's layout on {@code driver}. */
    public static Registry onStorage(StorageDriver driver, RegistrySettings settings) {
        return StoredRegistry.create(driver, settings);
    }
}
