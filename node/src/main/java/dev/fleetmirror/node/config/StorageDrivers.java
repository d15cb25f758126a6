package dev.fleetmirror.node.config;

import dev.fleetmirror.core.storage.FilesystemDriver;
import dev.fleetmirror.core.storage.StorageDriver;
import dev.fleetmirror.storage.s3.S3StorageDriver;

/** The one place that turns a configured backend into its driver. Blocks (it may create directories). */
public final class StorageDrivers {
    private StorageDrivers() {
    }

    public static StorageDriver open(StorageBackend backend) {
        if (backend instanceof StorageBackend.Filesystem fs) {
            return new FilesystemDriver(fs.rootDirectory().toAbsolutePath());
        }
        if (backend instanceof StorageBackend.S3 s3) {
            return S3StorageDriver.open(s3.config());
        }
        throw new ConfigException("storage", "no driver for " + backend);
    }
}
