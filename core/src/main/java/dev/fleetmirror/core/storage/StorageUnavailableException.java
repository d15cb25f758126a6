package dev.fleetmirror.core.storage;

/** The backend cannot be reached or refuses service for now; the request may be retried later. */
public class StorageUnavailableException extends StorageException {
    public StorageUnavailableException(String path, String message, Throwable cause) {
        super(path, message, cause);
    }
}
