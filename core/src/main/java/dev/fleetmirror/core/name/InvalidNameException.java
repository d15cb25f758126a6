package dev.fleetmirror.core.name;

/** A repository name or tag that the OCI grammar rejects. Maps to NAME_INVALID or TAG_INVALID. */
public class InvalidNameException extends IllegalArgumentException {
    public InvalidNameException(String message) {
        super(message);
    }
}
