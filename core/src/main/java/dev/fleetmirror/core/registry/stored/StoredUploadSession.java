package dev.fleetmirror.core.registry.stored;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.digest.DigestAlgorithm;
import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.registry.BlobDescriptor;
import dev.fleetmirror.core.registry.ErrorCode;
import dev.fleetmirror.core.registry.RegistryException;
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
import java.util.Optional;

/**
 * One request's handle on an upload. The running SHA-256 is restored from the state the previous
 * request saved for exactly the current size; when there is none (a crash between data and state,
 * an upload Distribution started) the hash is unknown and {@link #complete} re-reads the committed
 * data instead, which works on every backend because it reads only committed content.
 *
 * <p>Used by one thread at a time.
 */
final class StoredUploadSession implements UploadSession {
    private static final String SHA256 = DigestAlgorithm.SHA256.prefix();

    private final StorageDriver driver;
    private final StoredBlobs blobs;
    private final RepositoryName repo;
    private final String id;
    private final Instant startedAt;
    private FileWriter writer;
    private long size;
    /** Empty when no saved state matched the data on resume. */
    private Optional<RunningHash> hash;
    /** The size whose hash state is already in storage, or -1. */
    private long savedStateSize;
    private boolean finished;

    private StoredUploadSession(StorageDriver driver, StoredBlobs blobs, RepositoryName repo, String id,
                                Instant startedAt, FileWriter writer, long size, Optional<RunningHash> hash,
                                long savedStateSize) {
        this.driver = driver;
        this.blobs = blobs;
        this.repo = repo;
        this.id = id;
        this.startedAt = startedAt;
        this.writer = writer;
        this.size = size;
        this.hash = hash;
        this.savedStateSize = savedStateSize;
    }

    static StoredUploadSession fresh(StorageDriver driver, StoredBlobs blobs, RepositoryName repo, String id,
                                     Instant startedAt) {
        return new StoredUploadSession(driver, blobs, repo, id, startedAt, null, 0, Optional.of(RunningHash.start()), -1);
    }

    static StoredUploadSession resumed(StorageDriver driver, StoredBlobs blobs, RepositoryName repo, String id,
                                       Instant startedAt) {
        FileWriter writer = StoredUploads.openDataWriter(driver, repo, id);
        long size = writer.size();
        Optional<RunningHash> hash;
        try {
            hash = size == 0 ? Optional.of(RunningHash.start()) : savedState(driver, repo, id, size);
        } catch (RuntimeException e) {
            writer.close();
            throw e;
        }
        return new StoredUploadSession(driver, blobs, repo, id, startedAt, writer, size, hash,
                hash.isPresent() ? size : -1);
    }

    private static Optional<RunningHash> savedState(StorageDriver driver, RepositoryName repo, String id, long size) {
        try {
            return RunningHash.restore(driver.getContent(StoragePaths.uploadHashState(repo, id, SHA256, size)));
        } catch (PathNotFoundException e) {
            return Optional.empty();
        }
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
            hash = Optional.empty();
            size = data.size();
            throw e;
        }
        hash.ifPresent(h -> h.update(bytes, offset, length));
        size += length;
    }

    @Override
    public BlobDescriptor complete(Digest expected) {
        requireOpen();
        FileWriter data = dataWriter();
        if (expected.algorithm() == DigestAlgorithm.SHA256 && hash.isPresent()) {
            Digest actual = hash.get().current();
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

    private void removeUpload() {
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
        // A state for size 0 would never be read: an empty upload starts a fresh hash.
        if (hash.isPresent() && savedStateSize != size && size > 0) {
            driver.putContent(StoragePaths.uploadHashState(repo, id, SHA256, size), hash.get().save());
            if (savedStateSize >= 0) {
                discardState(savedStateSize);
            }
        }
    }

    private void discardState(long offset) {
        try {
            driver.delete(StoragePaths.uploadHashState(repo, id, SHA256, offset));
        } catch (PathNotFoundException e) {
            return;
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
