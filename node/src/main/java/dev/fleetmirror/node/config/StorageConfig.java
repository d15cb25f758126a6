package dev.fleetmirror.node.config;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Distribution's {@code storage} section: which backend, and the switches that apply to any backend.
 *
 * @param deleteEnabled    {@code storage.delete.enabled}; without it DELETE answers UNSUPPORTED
 * @param readOnly         {@code storage.maintenance.readonly.enabled}; every write answers UNSUPPORTED
 * @param redirectDisabled {@code storage.redirect.disable}; never answer blob GETs with a 307 to the backend.
 *                         True unless set to false (unlike Distribution): redirects to presigned S3
 *                         URLs are opt-in until that path is proven end to end with real clients
 * @param uploadPurging    {@code storage.maintenance.uploadpurging}: removal of abandoned upload sessions
 * @param localCache       the top-level {@code localcache:} section: copies of served blobs on local disk
 */
public record StorageConfig(StorageBackend backend, boolean deleteEnabled, boolean readOnly, boolean redirectDisabled,
                            UploadPurgingConfig uploadPurging, Optional<LocalCacheConfig> localCache) {

    public StorageConfig {
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(uploadPurging, "uploadPurging");
        Objects.requireNonNull(localCache, "localCache");
    }

    public StorageConfig(StorageBackend backend, boolean deleteEnabled, boolean readOnly, boolean redirectDisabled,
                         UploadPurgingConfig uploadPurging) {
        this(backend, deleteEnabled, readOnly, redirectDisabled, uploadPurging, Optional.empty());
    }

    /** With Distribution's default upload purging. */
    public StorageConfig(StorageBackend backend, boolean deleteEnabled, boolean readOnly, boolean redirectDisabled) {
        this(backend, deleteEnabled, readOnly, redirectDisabled, UploadPurgingConfig.defaults());
    }

    public static StorageConfig defaults() {
        return new StorageConfig(new StorageBackend.Filesystem(Path.of("data")), true, false, true);
    }

    public static StorageConfig of(StorageBackend backend) {
        return new StorageConfig(backend, true, false, true);
    }

    public StorageConfig withDeleteEnabled(boolean enabled) {
        return new StorageConfig(backend, enabled, readOnly, redirectDisabled, uploadPurging, localCache);
    }

    public StorageConfig withReadOnly(boolean readOnly) {
        return new StorageConfig(backend, deleteEnabled, readOnly, redirectDisabled, uploadPurging, localCache);
    }

    public StorageConfig withRedirectDisabled(boolean disabled) {
        return new StorageConfig(backend, deleteEnabled, readOnly, disabled, uploadPurging, localCache);
    }

    public StorageConfig withLocalCache(Optional<LocalCacheConfig> localCache) {
        return new StorageConfig(backend, deleteEnabled, readOnly, redirectDisabled, uploadPurging, localCache);
    }

    public StorageConfig withUploadPurging(UploadPurgingConfig uploadPurging) {
        return new StorageConfig(backend, deleteEnabled, readOnly, redirectDisabled, uploadPurging, localCache);
    }
}
