package dev.fleetmirror.core.registry;

import dev.fleetmirror.core.error.RegistryException;
import dev.fleetmirror.core.name.RepositoryName;

/** Blob upload sessions of the OCI push API. Upload ids are random UUIDs. */
public interface Uploads {

    /** Starts a new, empty upload. */
    UploadSession start(RepositoryName repo);

    /**
     * Re-opens an upload started earlier, possibly by another node. When this node did not write
     * the upload's last bytes, completing it reads the data back once to hash it.
     *
     * @throws RegistryException BLOB_UPLOAD_UNKNOWN when there is no such upload (or the id is malformed)
     */
    UploadSession resume(RepositoryName repo, String uploadId);

    /**
     * Cancels an upload and deletes what it stored.
     *
     * @throws RegistryException BLOB_UPLOAD_UNKNOWN when there is no such upload
     */
    void cancel(RepositoryName repo, String uploadId);
}
