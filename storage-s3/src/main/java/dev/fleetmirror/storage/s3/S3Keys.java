package dev.fleetmirror.storage.s3;

import dev.fleetmirror.core.storage.StoragePath;

/**
 * Maps storage paths to object keys the way Distribution's S3 driver does
 * ({@code trimLeft(trimRight(rootdirectory, "/") + path, "/")}), so a bucket that {@code registry:2}
 * filled is read as it is, and back.
 *
 * <p>Writers closed without commit keep their state in one object per path under
 * {@code <root>/fleetmirror/s3-pending<path>.pending} (see {@link PendingWrite}): outside
 * Distribution's tree, and never a parent or child of a real key, so filesystem-backed S3 servers
 * (MinIO, S3Proxy) can hold both.
 */
final class S3Keys {
    static final String PENDING_DIR = "fleetmirror/s3-pending";
    static final String PENDING_SUFFIX = ".pending";

    private final String root;

    S3Keys(String rootDirectory) {
        String trimmed = rootDirectory;
        while (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        while (trimmed.startsWith("/")) {
            trimmed = trimmed.substring(1);
        }
        this.root = trimmed.isEmpty() ? "" : trimmed + "/";
    }

    /** Key of a file; the path must already be valid and not the root. */
    String file(String path) {
        return root + path.substring(1);
    }

    /** Prefix of everything below a directory path (the root included). */
    String directoryPrefix(String path) {
        return StoragePath.ROOT.equals(path) ? root : root + path.substring(1) + "/";
    }

    /** The path of a key below the root, without a trailing slash. */
    String path(String key) {
        String relative = key.substring(root.length());
        if (relative.endsWith("/")) {
            relative = relative.substring(0, relative.length() - 1);
        }
        return "/" + relative;
    }

    String pending(String path) {
        return root + PENDING_DIR + path + PENDING_SUFFIX;
    }

    /** Prefix of the pending state of every path below a directory. */
    String pendingBelow(String path) {
        return StoragePath.ROOT.equals(path) ? root + PENDING_DIR + "/" : root + PENDING_DIR + path + "/";
    }

    /** Path whose pending state a key found under {@link #pendingBelow} holds, or null for other keys. */
    String pathOfPending(String key) {
        String prefix = root + PENDING_DIR;
        if (!key.startsWith(prefix + "/") || !key.endsWith(PENDING_SUFFIX)) {
            return null;
        }
        return key.substring(prefix.length(), key.length() - PENDING_SUFFIX.length());
    }
}
