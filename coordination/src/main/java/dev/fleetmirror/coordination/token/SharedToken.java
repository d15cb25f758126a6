package dev.fleetmirror.coordination.token;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * A bearer token and the moment it stops being used, wall-clock time to the millisecond (members'
 * clocks agree to well within the margin taken off the token's lifetime).
 */
public record SharedToken(String token, Instant expires) {

    public SharedToken {
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(expires, "expires");
        if (token.isEmpty() || token.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("a bearer token is a non-empty single line");
        }
        expires = expires.truncatedTo(ChronoUnit.MILLIS);
    }
}
