package dev.fleetmirror.core.digest;

/** A string that is not a supported, well-formed digest. Maps to the OCI code DIGEST_INVALID. */
public class InvalidDigestException extends IllegalArgumentException {
    public InvalidDigestException(String message) {
        super(message);
    }
}
