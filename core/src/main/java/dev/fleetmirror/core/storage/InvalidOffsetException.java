package dev.fleetmirror.core.storage;

/** A read or write asked for an offset outside the stored content. */
public class InvalidOffsetException extends StorageException {
    private final long offset;

    public InvalidOffsetException(String path, long offset) {
        super(path, "invalid offset " + offset + " for " + path);
        this.offset = offset;
    }

    public long offset() {
        return offset;
    }
}
