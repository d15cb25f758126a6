package dev.fleetmirror.node.config;

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
}
