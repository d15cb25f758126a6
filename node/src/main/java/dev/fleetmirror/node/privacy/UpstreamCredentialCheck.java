package dev.fleetmirror.node.privacy;

import dev.fleetmirror.node.auth.BasicCredentials;
import dev.fleetmirror.node.upstream.TagListing;
import dev.fleetmirror.node.upstream.UpstreamCaller;
import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Asks an upstream whether a caller's own credentials may read a repository there: a GET of the
 * repository's tag list (one entry) with those credentials, through the upstream's own
 * {@link UpstreamCaller} (so under its rate limit, in its metrics, with the request id), following
 * a Bearer challenge only to a token service on the upstream's site. 2xx means yes; 401, 403 and 404
 * mean no; anything else (unreachable, 5xx, throttled) is an error, so the request is refused for now
 * rather than served on a guess. Answers are remembered per upstream, user, password and repository
 * for {@code ttl}, so one caller's answer never stands for another's, and a changed password asks
 * again; concurrent checks of the same key share one upstream request.
 */
public final class UpstreamCredentialCheck {
    private static final int MAX_REMEMBERED = 10_000;

    private record Remembered(Future<Boolean> answer, long untilMillis) {
    }

    private final Duration ttl;
    private final Clock clock;
    private final Map<String, Remembered> answers = new ConcurrentHashMap<>();

    public UpstreamCredentialCheck(Duration ttl, Clock clock) {
        this.ttl = ttl;
        this.clock = clock;
    }

    /** Whether {@code upstream} lets {@code credentials} read {@code remoteName}; remembered for the TTL. */
    public Future<Boolean> allowed(UpstreamCaller upstream, String remoteName, BasicCredentials credentials) {
        String key = upstream.name() + "\n" + remoteName + "\n" + credentials.user() + "\n" + sha256(credentials.password());
        long now = clock.millis();
        Remembered remembered = answers.get(key);
        if (remembered != null && remembered.untilMillis() > now
                && !(remembered.answer().isComplete() && remembered.answer().failed())) {
            return remembered.answer();
        }
        if (answers.size() >= MAX_REMEMBERED) {
            answers.clear();
        }
        String basic = "Basic " + Base64.getEncoder().encodeToString(
                (credentials.user() + ":" + credentials.password()).getBytes(StandardCharsets.UTF_8));
        Future<Boolean> answer = upstream.statusAs(new TagListing(remoteName, 1, Optional.empty()), basic)
                .map(status -> verdict(upstream, status));
        // A failure is not remembered: the next request asks again.
        answer.onFailure(failure -> answers.remove(key));
        answers.put(key, new Remembered(answer, now + ttl.toMillis()));
        return answer;
    }

    private static boolean verdict(UpstreamCaller upstream, int status) {
        if (status >= 200 && status < 300) {
            return true;
        }
        if (status == 401 || status == 403 || status == 404) {
            return false;
        }
        throw new IllegalStateException("upstream " + upstream.name() + " answered " + status
                + " when asked whether the caller may read it; try again later");
    }

    private static String sha256(String value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
