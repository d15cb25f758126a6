package dev.fleetmirror.node.config;

import dev.fleetmirror.core.storage.FilesystemDriver;
import dev.fleetmirror.core.storage.StorageDriver;

/** The one place that turns a configured backend into its driver. Blocks (it may create directories). */
public final class StorageDrivers {
    private StorageDrivers() {
    }

    public static StorageDriver open(StorageBackend backend) {
        if (backend instanceof StorageBackend.Filesystem fs) {
            return new FilesystemDriver(fs.rootDirectory().toAbsolutePath());
        }
        throw new ConfigException("storage", "no driver for " + backend);
    }
}
