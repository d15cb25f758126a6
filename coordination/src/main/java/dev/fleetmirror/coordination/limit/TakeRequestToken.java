package dev.fleetmirror.coordination.limit;

import com.hazelcast.map.EntryProcessor;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * One request's step of an upstream's {@link TokenBucket}, atomically on the entry's owner, by the
 * owner's wall clock (the entry moves between members, so no member's monotonic clock will do).
 * Backups are given the resulting state rather than running the step again with their own clock.
 */
final class TakeRequestToken implements EntryProcessor<String, TokenBucket, RequestPermit> {
    private static final long serialVersionUID = 1L;

    private final RequestRate rate;
    private final Duration maxWait;
    /** The state written by {@link #process}, for the backups; null when nothing was written. */
    private transient TokenBucket written;

    TakeRequestToken(RequestRate rate, Duration maxWait) {
        this.rate = rate;
        this.maxWait = maxWait;
    }

    @Override
    public RequestPermit process(Map.Entry<String, TokenBucket> entry) {
        Instant clock = Instant.now();
        long now = clock.getEpochSecond() * 1_000_000_000L + clock.getNano();
        TokenBucket bucket = entry.getValue() == null ? TokenBucket.full(rate, now) : entry.getValue();
        TokenBucket.Step step = bucket.take(rate, now, maxWait);
        // A refusal took nothing: the stored state still describes the bucket exactly.
        written = step.permit() instanceof RequestPermit.Refused ? null : step.bucket();
        if (written != null) {
            entry.setValue(written);
        }
        return step.permit();
    }

    @Override
    public EntryProcessor<String, TokenBucket, RequestPermit> getBackupProcessor() {
        return written == null ? null : new Store(written);
    }

    /** Writes the owner's result on a backup. */
    record Store(TokenBucket bucket) implements EntryProcessor<String, TokenBucket, RequestPermit> {
        @Override
        public RequestPermit process(Map.Entry<String, TokenBucket> entry) {
            entry.setValue(bucket);
            return null;
        }
    }
}
