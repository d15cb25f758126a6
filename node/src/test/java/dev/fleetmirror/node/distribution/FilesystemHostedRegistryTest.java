package dev.fleetmirror.node.distribution;

import dev.fleetmirror.node.config.StorageBackend;
import java.nio.file.Path;

/** The hosted-registry contract on local-disk storage (blobs leave by zero-copy sendFile). */
class FilesystemHostedRegistryTest extends HostedRegistryContract {
    @Override
    protected StorageBackend storageBackend(Path workDir) {
        return new StorageBackend.Filesystem(workDir.resolve("storage"));
    }
}
