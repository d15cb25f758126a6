package dev.fleetmirror.core.storage;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Directories on the filesystem exist only while they hold something, as prefixes do on S3, so that
 * "does this repository have manifests" has one answer whatever the backend. Emptied directories
 * are removed up to the root; creating a file retries when a concurrent removal took its directory
 * away between creating the directory and the file.
 */
final class FilesystemDirectories {
    private static final int ATTEMPTS = 10;

    /** Creates something inside a file system directory, given the created directory. */
    @FunctionalInterface
    interface Creation<T> {
        T create() throws IOException;
    }

    private final Path root;

    FilesystemDirectories(Path root) {
        this.root = root;
    }

    /** Creates {@code dir} and its parents, then runs {@code creation} in it, retrying when the directory vanished. */
    <T> T createIn(Path dir, Creation<T> creation) throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                Files.createDirectories(dir);
                return creation.create();
            } catch (NoSuchFileException e) {
                if (attempt == ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    /** Removes the parents of {@code removed} that are now empty, stopping at the first non-empty one or the root. */
    void pruneEmptyParents(Path removed) {
        for (Path dir = removed.getParent(); dir != null && dir.startsWith(root) && !dir.equals(root); dir = dir.getParent()) {
            try {
                Files.delete(dir);
            } catch (NoSuchFileException e) {
                continue;
            } catch (DirectoryNotEmptyException e) {
                return;
            } catch (IOException e) {
                // Pruning is tidiness only; a directory left behind changes no answer that matters more than this delete.
                return;
            }
        }
    }
}
