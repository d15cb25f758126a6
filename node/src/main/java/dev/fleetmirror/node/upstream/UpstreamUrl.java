package dev.fleetmirror.node.upstream;

import dev.fleetmirror.node.config.UpstreamConfig;
import dev.fleetmirror.node.metrics.Traffic;
import dev.fleetmirror.node.metrics.UpstreamUrlHealth;
import java.net.URI;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One base URL of an upstream ({@code urls: [accelerator, origin]}) and what the caller learnt
 * about it: the authentication it asks for (each URL may have its own token realm, so tokens are
 * kept per URL), and its health. A URL that failed (no connection, 5xx, 429, content that does not
 * match its digest) is skipped for a back-off period that doubles with each failure in a row, up to
 * the configured maximum; the next URL is used meanwhile. Used only on the upstream's event-loop
 * context, so the state needs no locking; each change is published to {@link Traffic}.
 */
final class UpstreamUrl {
    private static final Logger LOG = LoggerFactory.getLogger(UpstreamUrl.class);

    enum Scheme { UNKNOWN, NONE, BEARER, BASIC }

    private final String upstream;
    private final URI base;
    private final UpstreamConfig.Backoff backoff;
    private final BearerTokens tokens;
    private final Traffic traffic;
    /** The upstream's only URL: it is never really skipped (there is no other), so its failures are not news here. */
    private final boolean alone;
    private Scheme scheme = Scheme.UNKNOWN;
    private AuthChallenge bearerChallenge;
    private int failures;
    private long skippedUntilNanos;
    private Instant skippedUntil;
    private int lastStatus;
    private String lastFailure;

    UpstreamUrl(String upstream, URI base, UpstreamConfig.Backoff backoff, BearerTokens tokens, Traffic traffic,
                boolean alone) {
        this.alone = alone;
        this.upstream = upstream;
        this.base = base;
        this.backoff = backoff;
        this.tokens = tokens;
        this.traffic = traffic;
        publish();
    }

    URI base() {
        return base;
    }

    BearerTokens tokens() {
        return tokens;
    }

    Scheme scheme() {
        return scheme;
    }

    AuthChallenge bearerChallenge() {
        return bearerChallenge;
    }

    void useBearer(AuthChallenge challenge) {
        scheme = Scheme.BEARER;
        bearerChallenge = challenge;
    }

    void useBasic() {
        scheme = Scheme.BASIC;
    }

    /** Whether the URL is being skipped after a failure. */
    boolean skipped() {
        return skippedUntil != null && System.nanoTime() - skippedUntilNanos < 0;
    }

    /** When a skipped URL is tried again, for ordering the skipped ones. */
    long skippedUntilNanos() {
        return skippedUntilNanos;
    }

    /** It answered (any status that is not trouble): it is used again, and its back-off starts over. */
    void answered(int status) {
        lastStatus = status;
        if (failures > 0 || skippedUntil != null) {
            if (!alone) {
                LOG.info("upstream {}: {} answers again ({})", upstream, base, status);
            }
            failures = 0;
            skippedUntil = null;
        }
        publish();
    }

    /** It failed: skipped for the next back-off period. */
    void failed(int status, String why) {
        lastStatus = status;
        failures++;
        java.time.Duration pause = backoff.after(failures);
        skippedUntilNanos = System.nanoTime() + pause.toNanos();
        skippedUntil = Instant.now().plus(pause);
        lastFailure = why;
        if (alone) {
            LOG.debug("upstream {}: {} failed ({})", upstream, base, why);
        } else if (failures == 1) {
            LOG.warn("upstream {}: {} failed ({}); skipping it for {}", upstream, base, why, pause);
        } else {
            LOG.info("upstream {}: {} failed again ({}); skipping it for {} ({} failures in a row)", upstream, base, why,
                    pause, failures);
        }
        traffic.upstreamUrlFailure(upstream, base.toString(), why.startsWith("corrupt") ? "corrupt"
                : status == 0 ? "unreachable" : Integer.toString(status));
        publish();
    }

    private void publish() {
        traffic.upstreamUrl(new UpstreamUrlHealth(upstream, base.toString(), failures, Optional.ofNullable(skippedUntil),
                lastStatus, Optional.ofNullable(lastFailure), Instant.now()));
    }
}
