package dev.fleetmirror.node.upstream;

import dev.fleetmirror.core.registry.ErrorCode;
import dev.fleetmirror.core.registry.RegistryException;
import dev.fleetmirror.node.http.AdvisesRetry;
import java.util.Optional;

/**
 * An upstream registry did not give us what we asked for. Clients see it with the upstream's own
 * status where that makes sense to them (429 and 5xx, passing Retry-After), 503 when it could not
 * be reached at all, and 403 DENIED when it refused the credentials configured for it.
 */
public final class UpstreamException extends RegistryException implements AdvisesRetry {
    /** Status 0: no HTTP answer at all (connection refused, timeout, TLS failure). */
    public static final int UNREACHABLE = 0;

    private final String upstream;
    private final int upstreamStatus;
    private final Optional<String> retryAfter;

    private UpstreamException(ErrorCode code, String message, int httpStatus, String upstream, int upstreamStatus,
                              Optional<String> retryAfter, Throwable cause) {
        super(code, message, null, httpStatus, cause);
        this.upstream = upstream;
        this.upstreamStatus = upstreamStatus;
        this.retryAfter = retryAfter;
    }

    public static UpstreamException unreachable(String upstream, Throwable cause) {
        return new UpstreamException(ErrorCode.UNAVAILABLE, "upstream " + upstream + " is unreachable ("
                + cause.getMessage() + ") and this content is not cached; retry later", 503, upstream, UNREACHABLE,
                Optional.empty(), cause);
    }

    /** An HTTP error answer of the upstream, as the client should see it. */
    public static UpstreamException status(String upstream, String what, int status, Optional<String> retryAfter) {
        if (status == 429) {
            return new UpstreamException(ErrorCode.TOOMANYREQUESTS, "upstream " + upstream + " rate-limits us (429) for "
                    + what + " and it is not cached; retry later", 429, upstream, status, retryAfter, null);
        }
        if (status >= 500) {
            return new UpstreamException(ErrorCode.UNAVAILABLE, "upstream " + upstream + " failed with " + status + " for "
                    + what + " and it is not cached; retry later", status, upstream, status, retryAfter, null);
        }
        if (status == 401 || status == 403) {
            return new UpstreamException(ErrorCode.DENIED, "upstream " + upstream + " refused access to " + what + " ("
                    + status + "); check the credentials configured for it", 403, upstream, status, retryAfter, null);
        }
        if (status == 404) {
            return new UpstreamException(ErrorCode.NAME_UNKNOWN, "upstream " + upstream + " does not have " + what,
                    404, upstream, status, retryAfter, null);
        }
        return new UpstreamException(ErrorCode.UNKNOWN, "upstream " + upstream + " answered " + status + " for " + what,
                502, upstream, status, retryAfter, null);
    }

    /** The upstream's content did not match its digest. */
    public static UpstreamException corrupt(String upstream, String message) {
        return new UpstreamException(ErrorCode.UNAVAILABLE, "upstream " + upstream + " served corrupt content: " + message
                + "; nothing was cached, retry later", 502, upstream, 200, Optional.empty(), null);
    }

    public String upstream() {
        return upstream;
    }

    /** The upstream's HTTP status, or {@link #UNREACHABLE}. */
    public int upstreamStatus() {
        return upstreamStatus;
    }

    /** Unreachable, 5xx or 429: reasons to serve a cached copy instead. */
    public boolean isTrouble() {
        return upstreamStatus == UNREACHABLE || upstreamStatus >= 500 || upstreamStatus == 429;
    }

    public boolean isNotFound() {
        return upstreamStatus == 404;
    }

    @Override
    public Optional<String> retryAfter() {
        return retryAfter;
    }

    /** What a stale response says about why it is stale. */
    public String staleReason() {
        return upstreamStatus == UNREACHABLE ? "upstream unreachable" : "upstream status " + upstreamStatus;
    }
}
