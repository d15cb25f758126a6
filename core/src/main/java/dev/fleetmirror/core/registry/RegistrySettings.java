package dev.fleetmirror.core.registry;

/**
 * Behaviour switches of the registry services.
 *
 * @param deleteEnabled Distribution's {@code storage.delete.enabled}: without it blob and manifest
 *                      DELETE answer UNSUPPORTED
 */
public record RegistrySettings(boolean deleteEnabled) {
    public static RegistrySettings defaults() {
        return new RegistrySettings(true);
    }
}
