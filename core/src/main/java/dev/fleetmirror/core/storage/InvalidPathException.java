package dev.fleetmirror.core.storage;

/** A path that is not absolute, contains empty or dot components, or otherwise escapes the root. */
public class InvalidPathException extends StorageException {
    public InvalidPathException(String path) {
        super(path, "invalid storage path '" + path + "'");
    }
}
