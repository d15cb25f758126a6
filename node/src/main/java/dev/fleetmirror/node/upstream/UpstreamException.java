package dev.fleetmirror.node.upstream;

import dev.fleetmirror.core.error.ErrorCode;
import dev.fleetmirror.core.error.RegistryException;
import dev.fleetmirror.node.api.AdvisesRetry;
import java.time.Duration;
import java.util.Optional;

/**
 * An upstream registry did not give us what we asked for. Clients see it with the upstream's own
 * status where that makes sense to them (429 and 5xx, passing Retry-After), 503 when it could not
 * be reached at all, 403 DENIED when it refused the credentials configured for it, and 429 when the
 * cluster's own limit for the upstream ({@code ratelimit}) held the request back longer than it may wait.
 */
public final class UpstreamException extends RegistryException implements AdvisesRetry {
    /** Status 0: no HTTP answer at all (connection refused, timeout, TLS failure). */
    public static final int UNREACHABLE = 0;
    /** Status -1: never sent, held back by the cluster's rate limit of the upstream. */
    public static final int THROTTLED = -1;

    private final String upstream;
    private final int upstreamStatus;
    private final Optional<String> retryAfter;
    private final boolean corrupt;

    private UpstreamException(ErrorCode code, String message, int httpStatus, String upstream, int upstreamStatus,
                              Optional<String> retryAfter, Throwable cause) {
        this(code, message, httpStatus, upstream, upstreamStatus, retryAfter, cause, false);
    }

    private UpstreamException(ErrorCode code, String message, int httpStatus, String upstream, int upstreamStatus,
                              Optional<String> retryAfter, Throwable cause, boolean corrupt) {
        super(code, message, null, httpStatus, cause);
        this.upstream = upstream;
        this.upstreamStatus = upstreamStatus;
        this.retryAfter = retryAfter;
        this.corrupt = corrupt;
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

    /**
     * The cluster's limit of the upstream would have held the request back longer than its
     * {@code maxwait}; nothing was asked upstream.
     */
    public static UpstreamException throttled(String upstream, String what, String why, Duration retryAfter) {
        long seconds = Math.max(1, (retryAfter.toMillis() + 999) / 1000);
        return new UpstreamException(ErrorCode.TOOMANYREQUESTS, "the rate limit configured for upstream " + upstream
                + " holds back " + what + " (" + why + ") and it is not cached; retry after " + seconds + " s", 429,
                upstream, THROTTLED, Optional.of(Long.toString(seconds)), null);
    }

    /** The upstream's content did not match its digest. */
    public static UpstreamException corrupt(String upstream, String message) {
        return new UpstreamException(ErrorCode.UNAVAILABLE, "upstream " + upstream + " served corrupt content: " + message
                + "; nothing was cached, retry later", 502, upstream, 200, Optional.empty(), null, true);
    }

    /** The upstream answered, but with content that does not match its digest (or a broken range). */
    public boolean isCorrupt() {
        return corrupt;
    }

    public String upstream() {
        return upstream;
    }

    /** The upstream's HTTP status, or {@link #UNREACHABLE}, or {@link #THROTTLED}. */
    public int upstreamStatus() {
        return upstreamStatus;
    }

    /** Unreachable, 5xx, 429 or held back by our own limit: reasons to serve a cached copy instead. */
    public boolean isTrouble() {
        return upstreamStatus == UNREACHABLE || upstreamStatus >= 500 || upstreamStatus == 429 || upstreamStatus == THROTTLED;
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
        return switch (upstreamStatus) {
            case UNREACHABLE -> "upstream unreachable";
            case THROTTLED -> "upstream rate limit reached";
            default -> "upstream status " + upstreamStatus;
        };
    }
}
