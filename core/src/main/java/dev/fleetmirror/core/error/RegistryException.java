package dev.fleetmirror.core.error;

/**
 * A failure the client caused or must be told about, carrying its OCI error code. The node turns it
 * into the spec's JSON error body: {@code {"errors":[{"code":..,"message":..,"detail":..}]}}.
 */
public class RegistryException extends RuntimeException {
    private final ErrorCode code;
    private final Object detail;
    private final int httpStatus;

    public RegistryException(ErrorCode code, String message) {
        this(code, message, null, code.httpStatus(), null);
    }

    public RegistryException(ErrorCode code, String message, Object detail) {
        this(code, message, detail, code.httpStatus(), null);
    }

    public RegistryException(ErrorCode code, String message, Object detail, int httpStatus, Throwable cause) {
        super(message == null ? code.defaultMessage() : message, cause);
        this.code = code;
        this.detail = detail;
        this.httpStatus = httpStatus;
    }

    public ErrorCode code() {
        return code;
    }

    /** Extra structured detail for the error body, or null. */
    public Object detail() {
        return detail;
    }

    public int httpStatus() {
        return httpStatus;
    }
}
