package dev.fleetmirror.node.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Distribution's {@code storage} section: which backend, and the switches that apply to any backend.
 *
 * @param deleteEnabled    {@code storage.delete.enabled}; without it DELETE answers UNSUPPORTED
 * @param readOnly         {@code storage.maintenance.readonly.enabled}; every write answers UNSUPPORTED
 * @param redirectDisabled {@code storage.redirect.disable}; never answer blob GETs with a 307 to the backend.
 *                         True unless set to false (unlike Distribution): redirects to presigned S3
 *                         URLs are opt-in until that path is proven end to end with real clients
 */
public record StorageConfig(StorageBackend backend, boolean deleteEnabled, boolean readOnly, boolean redirectDisabled) {

    public StorageConfig {
        Objects.requireNonNull(backend, "backend");
    }

    public static StorageConfig defaults() {
        return new StorageConfig(new StorageBackend.Filesystem(Path.of("data")), true, false, true);
    }

    public static StorageConfig of(StorageBackend backend) {
        return new StorageConfig(backend, true, false, true);
    }

    public StorageConfig withDeleteEnabled(boolean enabled) {
        return new StorageConfig(backend, enabled, readOnly, redirectDisabled);
    }

    public StorageConfig withReadOnly(boolean readOnly) {
        return new StorageConfig(backend, deleteEnabled, readOnly, redirectDisabled);
    }

    public StorageConfig withRedirectDisabled(boolean disabled) {
        return new StorageConfig(backend, deleteEnabled, readOnly, disabled);
    }
}
