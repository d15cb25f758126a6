package dev.fleetmirror.core.storage;

/**
 * Base of the typed errors a {@link StorageDriver} raises. Callers switch on the subtype, never on
 * the message.
 */
public class StorageException extends RuntimeException {
    private final String path;

    public StorageException(String path, String message, Throwable cause) {
        super(message, cause);
        this.path = path;
    }

    public StorageException(String path, String message) {
        this(path, message, null);
    }

    public String path() {
        return path;
    }
}
