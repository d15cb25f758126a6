package dev.fleetmirror.node.auth;

/** A bearer token that does not verify; the message says why and never contains the token. */
public final class InvalidTokenException extends Exception {
    public InvalidTokenException(String message) {
        super(message);
    }
}
