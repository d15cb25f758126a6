package dev.fleetmirror.core.storage;

import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The one small interface every backend implements, in the spirit of Distribution's
 * {@code storagedriver.StorageDriver}. Paths are absolute, {@code /}-separated, relative to the
 * driver's root (for example {@code /docker/registry/v2/blobs/sha256/ab/ab.../data}), and must not
 * contain empty, {@code .} or {@code ..} components; see {@link StoragePaths}.
 *
 * <p>Directories are implicit, as prefixes are in S3: one exists while a file is stored under it,
 * and is gone (stat and list raise {@link PathNotFoundException}) once the last is deleted or moved
 * away.
 *
 * <p>All methods block: callers on Vert.x run them on worker threads. Errors are the typed
 * subclasses of {@link StorageException}.
 */
public interface StorageDriver extends AutoCloseable {

    /** Short name for logs and metrics, e.g. {@code filesystem} or {@code s3}. */
    String name();

    /** Reads a small file (links, manifests) whole. */
    byte[] getContent(String path);

    /** Writes a small file whole, atomically replacing what was there. */
    void putContent(String path, byte[] content);

    /**
     * Opens a stream from {@code offset}. An offset equal to the size yields an empty stream; one
     * beyond it raises {@link InvalidOffsetException}.
     */
    InputStream reader(String path, long offset);

    /**
     * Opens a writer. With {@code append}, continues a file that an earlier writer wrote and closed
     * without commit (an upload in progress), or starts empty when nothing was written there yet;
     * without it, always starts empty.
     */
    FileWriter writer(String path, boolean append);

    /** Size, modification time and kind of a path. */
    FileInfo stat(String path);

    /**
     * Full paths of the immediate children of a directory, in no particular order.
     *
     * @throws PathNotFoundException when nothing is stored under {@code path}
     */
    List<String> list(String path);

    /** As {@link #list}, but nothing (not an exception) when nothing is stored under {@code path}. */
    default List<String> listOrEmpty(String path) {
        try {
            return list(path);
        } catch (PathNotFoundException e) {
            return List.of();
        }
    }

    /** Moves a file, replacing the destination atomically. */
    void move(String sourcePath, String destPath);

    /**
     * Deletes a file or, recursively, a directory.
     *
     * @throws PathNotFoundException when nothing is stored at or under {@code path}
     */
    void delete(String path);

    /**
     * Every file at any depth below {@code dir}, with its size and modification time, in no
     * particular order; nothing when nothing is stored there. For bulk work (garbage collection):
     * a backend with flat listings (S3) answers a thousand files per request.
     */
    default void walk(String dir, java.util.function.Consumer<FileInfo> visitor) {
        for (String child : listOrEmpty(dir)) {
            FileInfo info;
            try {
                info = stat(child);
            } catch (PathNotFoundException e) {
                continue;
            }
            if (info.directory()) {
                walk(child, visitor);
            } else {
                visitor.accept(info);
            }
        }
    }

    /**
     * Deletes files (not directories), in as few requests as the backend allows (S3: a thousand per
     * request); paths already gone are skipped.
     */
    default void deleteFiles(java.util.Collection<String> paths) {
        for (String path : paths) {
            try {
                delete(path);
            } catch (PathNotFoundException e) {
                // gone already
            }
        }
    }

    /** A URL the client can fetch the file from directly, where the backend and config allow it. */
    default Optional<URI> redirectUrl(String path, Duration validFor) {
        return Optional.empty();
    }

    /** The local file behind a path, for zero-copy sending; empty for remote backends. */
    default Optional<Path> localFile(String path) {
        return Optional.empty();
    }

    @Override
    default void close() {
    }
}
