package dev.fleetmirror.node.config;

import dev.fleetmirror.storage.s3.S3StorageConfig;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The one storage driver a node uses. A new backend adds a variant here, its keys in
 * {@link ConfigLoader#readBackend}, and its driver in {@link StorageDrivers}.
 */
public sealed interface StorageBackend {

    /** Distribution's {@code storage.filesystem.rootdirectory}. */
    record Filesystem(Path rootDirectory) implements StorageBackend {
        public Filesystem {
            Objects.requireNonNull(rootDirectory, "rootDirectory");
        }
    }

    /** Distribution's {@code storage.s3} section: a bucket all nodes of a cluster share. */
    record S3(S3StorageConfig config) implements StorageBackend {
        public S3 {
            Objects.requireNonNull(config, "config");
        }
    }
}
