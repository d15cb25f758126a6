package dev.fleetmirror.node.http;

import dev.fleetmirror.node.gc.PushWindow;
import dev.fleetmirror.core.registry.Registry;
import java.util.Objects;

/**
 * What endpoints work with: the registry services, the pool to call them on, the storage
 * switches that change HTTP behaviour, and what the GC must hear of blobs pushes were told about.
 */
public record NodeServices(Registry registry, StorageWorkers workers, boolean deleteEnabled, boolean redirectDisabled,
                           PushWindow pushes) {
    public NodeServices {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(workers, "workers");
        Objects.requireNonNull(pushes, "pushes");
    }

    /** Without a GC to tell of the blobs pushes were told about. */
    public NodeServices(Registry registry, StorageWorkers workers, boolean deleteEnabled, boolean redirectDisabled) {
        this(registry, workers, deleteEnabled, redirectDisabled, PushWindow.untracked());
    }
}
