package dev.fleetmirror.core.registry;

import dev.fleetmirror.core.error.RegistryException;
import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.name.RepositoryName;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;

/** Blobs as seen through repositories: a blob is visible in a repository once it is linked there. */
public interface Blobs {

    /** The blob if it is linked into {@code repo} and its data exists. */
    Optional<BlobDescriptor> stat(RepositoryName repo, Digest digest);

    /**
     * As {@link #stat}, for a client's pull of the blob (a GET): a pull-through cache counts it as a
     * cache hit or miss. Hosted storage answers as {@link #stat}.
     */
    default Optional<BlobDescriptor> statForPull(RepositoryName repo, Digest digest) {
        return stat(repo, digest);
    }

    /** The blob's data from {@code offset}, wherever it is linked. Caller closes the stream. */
    InputStream open(Digest digest, long offset);

    /**
     * The blob's data from {@code offset} as requested through {@code repo}. Hosted storage ignores
     * the repository; a pull-through cache needs it to know which upstream to fetch a missing blob from.
     */
    default InputStream open(RepositoryName repo, Digest digest, long offset) {
        return open(digest, offset);
    }

    /** The local file holding the blob's data, for zero-copy sending (filesystem storage only). */
    Optional<Path> localFile(Digest digest);

    /** A URL the client may fetch the data from directly (presigned, S3 only). */
    Optional<URI> redirectUrl(Digest digest);

    /**
     * Links a blob linked in {@code from} into {@code target} (a cross-repository mount). Whether the
     * caller may read {@code from} is the caller's business: check it before.
     *
     * @return the mounted blob, or empty when {@code from} does not hold it (the client then uploads)
     */
    Optional<BlobDescriptor> mount(RepositoryName target, RepositoryName from, Digest digest);

    /**
     * Links data stored under {@code digest}, wherever it came from, into {@code repo}. Only for a
     * caller that established {@code repo} is entitled to the blob (a mirror whose upstream has it in
     * that repository), never on a client's word: a client's mount names its source ({@link #mount}).
     *
     * @return the linked blob, or empty when no data is stored under the digest
     */
    Optional<BlobDescriptor> linkStored(RepositoryName repo, Digest digest);

    /**
     * Whether data is stored under {@code digest}, in whatever repository it is linked: for the
     * pull-through cache, whose fills store each digest once. Never an answer to a client.
     */
    boolean dataStored(Digest digest);

    /**
     * Unlinks the blob from {@code repo}. The data stays until garbage collection.
     *
     * @throws RegistryException BLOB_UNKNOWN when not linked, UNSUPPORTED when deletes are disabled
     */
    void delete(RepositoryName repo, Digest digest);
}
