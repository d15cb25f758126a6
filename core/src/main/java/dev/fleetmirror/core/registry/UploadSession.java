package dev.fleetmirror.core.registry;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.name.RepositoryName;
import java.time.Instant;

/**
 * One open handle on a blob upload. The node opens it for the duration of one request (POST, PATCH
 * or PUT) and closes it at the end; the upload's data and running hash state are kept in storage
 * between requests, so the next request may be served by another node.
 *
 * <p>Methods block: call them from a worker thread.
 */
public interface UploadSession extends AutoCloseable {

    String id();

    RepositoryName repository();

    Instant startedAt();

    /** Bytes received so far; the next chunk must start at this offset. */
    long size();

    /** Appends bytes to the upload and to its running hash. */
    void write(byte[] bytes, int offset, int length);

    /**
     * Completes the upload: checks that the bytes hash to {@code expected}, stores them as the blob
     * (visible under {@code blobs/} only after the check), links it into the repository and removes
     * the upload. On a mismatch the upload is removed and nothing is stored.
     *
     * @throws RegistryException DIGEST_INVALID on mismatch
     */
    BlobDescriptor complete(Digest expected);

    /** Persists the running state (so the upload resumes anywhere) and releases resources. */
    @Override
    void close();
}
