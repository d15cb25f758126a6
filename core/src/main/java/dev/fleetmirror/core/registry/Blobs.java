package dev.fleetmirror.core.registry;

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
     * Links an already stored blob into {@code target}. With {@code from} present the blob must be
     * linked there; without it, any stored blob with that digest is mounted.
     *
     * @return the mounted blob, or empty when there is nothing to mount (the client then uploads)
     */
    Optional<BlobDescriptor> mount(RepositoryName target, Optional<RepositoryName> from, Digest digest);

    /**
     * Unlinks the blob from {@code repo}. The data stays until garbage collection.
     *
     * @throws RegistryException BLOB_UNKNOWN when not linked, UNSUPPORTED when deletes are disabled
     */
    void delete(RepositoryName repo, Digest digest);
}
