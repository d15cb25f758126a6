package dev.fleetmirror.core.registry;

import dev.fleetmirror.core.error.RegistryException;
import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.name.RepositoryName;
import java.time.Instant;

/**
 * One open handle on a blob upload. The node opens it for the duration of one request (POST, PATCH
 * or PUT) and closes it at the end. The data lives in storage, so any node can continue the upload;
 * the running hash is kept in memory by the node that last wrote, and recomputed from storage at
 * completion when the upload moved between nodes.
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

    /**
     * Releases the data writer; the bytes written are in storage for whichever node serves the next
     * request, and this node keeps the running hash in memory in case it is that node.
     */
    @Override
    void close();
}
