package dev.fleetmirror.core.registry.stored;

import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.error.ErrorCode;
import dev.fleetmirror.core.error.RegistryException;
import dev.fleetmirror.core.registry.UploadSession;
import dev.fleetmirror.core.registry.Uploads;
import dev.fleetmirror.core.storage.PathNotFoundException;
import dev.fleetmirror.core.storage.StorageDriver;
import dev.fleetmirror.core.storage.StoragePaths;

/**
 * Caps the upload sessions open at once in one repository, so that a client cannot fill storage
 * with empty sessions faster than purging ({@code uploadpurging.age}) removes them. The count is
 * what storage holds under {@code _uploads/}, so it is the cluster's and survives restarts; two
 * starts racing may both pass, which only lets the count exceed the cap by a few.
 */
public final class SessionLimitedUploads implements Uploads {
    private final Uploads uploads;
    private final StorageDriver driver;
    private final int limit;

    /** @param limit sessions per repository; 0 for no limit */
    public SessionLimitedUploads(Uploads uploads, StorageDriver driver, int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit " + limit);
        }
        this.uploads = uploads;
        this.driver = driver;
        this.limit = limit;
    }

    /**
     * @throws RegistryException TOOMANYREQUESTS (429) when {@code repo} already has the limit's
     *         number of sessions open
     */
    @Override
    public UploadSession start(RepositoryName repo) {
        if (limit > 0 && open(repo) >= limit) {
            throw new RegistryException(ErrorCode.TOOMANYREQUESTS, repo + " has " + limit
                    + " upload sessions open, the most this registry allows per repository; finish or cancel"
                    + " (DELETE) some, or retry after unfinished ones expire");
        }
        return uploads.start(repo);
    }

    private int open(RepositoryName repo) {
        try {
            return driver.list(StoragePaths.uploadsDir(repo)).size();
        } catch (PathNotFoundException e) {
            return 0;
        }
    }

    @Override
    public UploadSession resume(RepositoryName repo, String uploadId) {
        return uploads.resume(repo, uploadId);
    }

    @Override
    public void cancel(RepositoryName repo, String uploadId) {
        uploads.cancel(repo, uploadId);
    }
}
