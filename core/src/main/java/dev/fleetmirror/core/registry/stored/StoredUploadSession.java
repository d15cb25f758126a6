package dev.fleetmirror.core.registry.stored;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.digest.DigestAlgorithm;
import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.registry.BlobDescriptor;
import dev.fleetmirror.core.error.ErrorCode;
import dev.fleetmirror.core.error.RegistryException;
import dev.fleetmirror.core.registry.UploadSession;
import dev.fleetmirror.core.storage.FileWriter;
import dev.fleetmirror.core.storage.PathNotFoundException;
import dev.fleetmirror.core.storage.StorageDriver;
import dev.fleetmirror.core.storage.StorageException;
import dev.fleetmirror.core.storage.StoragePaths;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Map;

/**
 * One request's handle on an upload. The running SHA-256 continues from the one this node kept for
 * exactly the current size; when it has none (the previous request was served by another node, this
 * node restarted, the entry expired, a chunk failed half-written) the session stops hashing and
 * {@link #complete} reads the committed data back once instead, which works on every backend
 * because it reads only committed content.
 *
 * <p>Used by one thread at a time.
 */
final class StoredUploadSession implements UploadSession {
    private final StorageDriver driver;
    private final StoredBlobs blobs;
    private final RunningHashes hashes;
    private final RepositoryName repo;
    private final String id;
    private final Instant startedAt;
    private FileWriter writer;
    private long size;
    /** The SHA-256 of exactly the {@code size} bytes in storage, or null when not known here. */
    private MessageDigest hash;
    private boolean finished;

    private StoredUploadSession(StorageDriver driver, StoredBlobs blobs, RunningHashes hashes, RepositoryName repo,
                                String id, Instant startedAt, FileWriter writer, long size, MessageDigest hash) {
        this.driver = driver;
        this.blobs = blobs;
        this.hashes = hashes;
        this.repo = repo;
        this.id = id;
        this.startedAt = startedAt;
        this.writer = writer;
        this.size = size;
        this.hash = hash;
    }

    static StoredUploadSession fresh(StorageDriver driver, StoredBlobs blobs, RunningHashes hashes,
                                     RepositoryName repo, String id, Instant startedAt) {
        return new StoredUploadSession(driver, blobs, hashes, repo, id, startedAt, null, 0,
                DigestAlgorithm.SHA256.newMessageDigest());
    }

    static StoredUploadSession resumed(StorageDriver driver, StoredBlobs blobs, RunningHashes hashes,
                                       RepositoryName repo, String id, Instant startedAt) {
        FileWriter writer = StoredUploads.openDataWriter(driver, repo, id);
        long size = writer.size();
        MessageDigest hash = size == 0
                ? DigestAlgorithm.SHA256.newMessageDigest()
                : hashes.take(repo, id, size).orElse(null);
        return new StoredUploadSession(driver, blobs, hashes, repo, id, startedAt, writer, size, hash);
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public RepositoryName repository() {
        return repo;
    }

    @Override
    public Instant startedAt() {
        return startedAt;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
        requireOpen();
        FileWriter data = dataWriter();
        try {
            data.write(bytes, offset, length);
        } catch (RuntimeException e) {
            // Part of the chunk may have reached storage: trust only what is there from now on.
            hash = null;
            size = data.size();
            throw e;
        }
        if (hash != null) {
            hash.update(bytes, offset, length);
        }
        size += length;
    }

    @Override
    public BlobDescriptor complete(Digest expected) {
        requireOpen();
        FileWriter data = dataWriter();
        if (expected.algorithm() == DigestAlgorithm.SHA256 && hash != null) {
            // digest() resets the hash: should storing fail below, close() must not keep it.
            MessageDigest consumed = hash;
            hash = null;
            Digest actual = Digest.of(DigestAlgorithm.SHA256, consumed.digest());
            if (!actual.equals(expected)) {
                data.cancel();
                throw mismatch(expected, actual);
            }
            data.commit();
        } else {
            data.commit();
            Digest actual = rehash(expected.algorithm());
            if (!actual.equals(expected)) {
                throw mismatch(expected, actual);
            }
        }
        finished = true;
        store(expected);
        return new BlobDescriptor(expected, size);
    }

    /** Moves the verified data into place, unless identical data is there already, then links it. */
    private void store(Digest digest) {
        if (blobs.statData(digest).isEmpty()) {
            driver.move(StoragePaths.uploadData(repo, id), StoragePaths.blobData(digest));
        }
        blobs.link(repo, digest);
        removeUpload();
    }

    private RegistryException mismatch(Digest expected, Digest actual) {
        finished = true;
        removeUpload();
        return new RegistryException(ErrorCode.DIGEST_INVALID, "the " + size + " uploaded bytes have digest " + actual
                + ", not " + expected + "; the upload was discarded", Map.of("expected", expected.toString(),
                "actual", actual.toString()));
    }

    private Digest rehash(DigestAlgorithm algorithm) {
        MessageDigest digest = algorithm.newMessageDigest();
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = driver.reader(StoragePaths.uploadData(repo, id), 0)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        } catch (IOException e) {
            String path = StoragePaths.uploadData(repo, id);
            throw new StorageException(path, "reading " + path + " to hash it failed: " + e, e);
        }
        return Digest.of(algorithm, digest.digest());
    }

    /** Deletes the whole upload directory, including any {@code hashstates/} Distribution left there. */
    private void removeUpload() {
        hashes.forget(repo, id);
        try {
            driver.delete(StoragePaths.uploadDir(repo, id));
        } catch (PathNotFoundException e) {
            return;
        }
    }

    @Override
    public void close() {
        if (finished) {
            return;
        }
        finished = true;
        if (writer != null) {
            writer.close();
            writer = null;
        }
        // An empty upload starts a fresh hash on resume; keeping one would only take a slot.
        if (hash != null && size > 0) {
            hashes.keep(repo, id, size, hash);
            hash = null;
        }
    }

    private FileWriter dataWriter() {
        if (writer == null) {
            writer = StoredUploads.openDataWriter(driver, repo, id);
        }
        return writer;
    }

    private void requireOpen() {
        if (finished) {
            throw new IllegalStateException("upload " + id + " is already completed or closed");
        }
    }
}
