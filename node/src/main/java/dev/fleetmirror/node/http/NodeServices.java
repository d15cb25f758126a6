package dev.fleetmirror.node.http;

import dev.fleetmirror.core.registry.Registry;
import java.util.Objects;

/**
 * What endpoints work with: the registry services, the pool to call them on, and the storage
 * switches that change HTTP behaviour.
 */
public record NodeServices(Registry registry, StorageWorkers workers, boolean deleteEnabled, boolean redirectDisabled) {
    public NodeServices {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(workers, "workers");
    }
}
