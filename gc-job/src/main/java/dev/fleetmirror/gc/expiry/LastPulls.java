package dev.fleetmirror.gc.expiry;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.digest.DigestAlgorithm;
import dev.fleetmirror.core.digest.InvalidDigestException;
import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.storage.PathNotFoundException;
import dev.fleetmirror.core.storage.StorageDriver;
import dev.fleetmirror.core.storage.StoragePath;
import dev.fleetmirror.core.storage.StoragePaths;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * When the cluster last served each manifest of a mirrored repository, kept in storage
 * ({@link StoragePaths#lastPull}) so that every node and every restart sees the same times. One file
 * per manifest: two nodes writing the same one at once is harmless (the last writer wins, and both
 * wrote a recent time), which one file per repository, rewritten whole, would not be.
 */
public final class LastPulls {
    private final StorageDriver driver;

    public LastPulls(StorageDriver driver) {
        this.driver = driver;
    }

    /** The recorded time, or empty when none was recorded or the file is unreadable. */
    public Optional<Instant> read(RepositoryName repo, Digest manifest) {
        byte[] content;
        try {
            content = driver.getContent(StoragePaths.lastPull(repo, manifest));
        } catch (PathNotFoundException e) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.parse(new String(content, StandardCharsets.US_ASCII).trim()));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    public void write(RepositoryName repo, Digest manifest, Instant pulledAt) {
        driver.putContent(StoragePaths.lastPull(repo, manifest), pulledAt.toString().getBytes(StandardCharsets.US_ASCII));
    }

    /** Forgets a manifest's time; true when one was recorded. */
    public boolean delete(RepositoryName repo, Digest manifest) {
        try {
            driver.delete(StoragePaths.lastPull(repo, manifest));
            return true;
        } catch (PathNotFoundException e) {
            return false;
        }
    }

    /** The manifests of a repository that have a recorded time. */
    public List<Digest> recorded(RepositoryName repo) {
        return digestsUnder(driver, StoragePaths.lastPullsDir(repo));
    }

    /**
     * Digests stored as {@code <dir>/<algorithm>/<hex>} (Distribution's revision directories and
     * our time files alike); names that are not digests are skipped.
     */
    static List<Digest> digestsUnder(StorageDriver driver, String dir) {
        List<Digest> digests = new ArrayList<>();
        for (String algorithmDir : driver.listOrEmpty(dir)) {
            Optional<DigestAlgorithm> algorithm = DigestAlgorithm.byPrefix(StoragePath.baseName(algorithmDir));
            if (algorithm.isEmpty()) {
                continue;
            }
            for (String entry : driver.listOrEmpty(algorithmDir)) {
                try {
                    digests.add(new Digest(algorithm.get(), StoragePath.baseName(entry)));
                } catch (InvalidDigestException e) {
                    // Not ours to judge here; the mark phase reports corrupt entries.
                }
            }
        }
        return digests;
    }
}
