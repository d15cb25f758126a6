package dev.fleetmirror.coordination.limit;

import java.io.Serializable;
import java.time.Duration;

/**
 * The answer to a request for a permit: the request may go after {@code delay} (its token is
 * reserved, so it must not ask again), or it would have to wait longer than it may and is refused.
 */
public sealed interface RequestPermit extends Serializable {

    Granted NOW = new Granted(Duration.ZERO);

    /** @param delay how long the request must wait before it goes; zero when at once */
    record Granted(Duration delay) implements RequestPermit {
    }

    /**
     * @param retryAfter how long until a request with the same bound would be granted, if nobody
     *                   else asked meanwhile; what a client is told to wait
     */
    record Refused(Duration retryAfter) implements RequestPermit {
    }
}
