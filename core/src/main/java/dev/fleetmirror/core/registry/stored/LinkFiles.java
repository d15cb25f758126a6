package dev.fleetmirror.core.registry.stored;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.digest.InvalidDigestException;
import dev.fleetmirror.core.storage.PathNotFoundException;
import dev.fleetmirror.core.storage.StorageDriver;
import dev.fleetmirror.core.storage.StorageException;
import dev.fleetmirror.core.storage.StoragePaths;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** Distribution's link files: a small file whose whole content is the digest it points at. */
final class LinkFiles {
    private final StorageDriver driver;

    LinkFiles(StorageDriver driver) {
        this.driver = driver;
    }

    /** The digest a link points at, or empty when there is no link. */
    Optional<Digest> read(String path) {
        byte[] content;
        try {
            content = driver.getContent(path);
        } catch (PathNotFoundException e) {
            return Optional.empty();
        }
        String value = new String(content, StandardCharsets.US_ASCII).trim();
        try {
            return Optional.of(Digest.parse(value));
        } catch (InvalidDigestException e) {
            throw new StorageException(path, "link file " + path + " is corrupt: " + e.getMessage());
        }
    }

    boolean exists(String path) {
        return read(path).isPresent();
    }

    void write(String path, Digest digest) {
        driver.putContent(path, StoragePaths.linkContent(digest));
    }

    /** Deletes a file or directory; true when something was there. */
    boolean deleteIfPresent(String path) {
        try {
            driver.delete(path);
            return true;
        } catch (PathNotFoundException e) {
            return false;
        }
    }

    /** The parent directory of a link path ({@code .../<hex>/link} -> {@code .../<hex>}). */
    static String directoryOf(String linkPath) {
        return linkPath.substring(0, linkPath.lastIndexOf('/'));
    }
}
