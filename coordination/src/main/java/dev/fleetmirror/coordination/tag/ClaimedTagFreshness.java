package dev.fleetmirror.coordination.tag;

import dev.fleetmirror.coordination.expiring.ExpiringMap;
import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.name.Tag;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Tag freshness as one entry per tag in an {@link ExpiringMap}: {@code confirmed <digest>} for the
 * tag's TTL after a check succeeded, or {@code checking <member> <nonce>} for the claim's short
 * lifetime while a member checks. Taking the claim is a putIfAbsent, so of the members that find a
 * tag stale at the same moment exactly one goes upstream; a confirmation replaces the claim in one
 * write, so a waiting member sees either the claim or its outcome, never a gap to slip into.
 */
public final class ClaimedTagFreshness implements TagFreshness {
    /** Long enough for a HEAD and, when the tag moved, a manifest GET and its storing. */
    static final Duration CLAIM_TTL = Duration.ofSeconds(30);
    /** How long a member waits for another's check before deciding alone. */
    static final Duration WAIT = Duration.ofSeconds(5);
    private static final String CONFIRMED = "confirmed ";
    private static final String CHECKING = "checking ";
    private static final long FIRST_POLL_MILLIS = 5;
    private static final long MAX_POLL_MILLIS = 100;

    private final ExpiringMap entries;
    private final String memberId;
    private final Duration claimTtl;
    private final Duration wait;

    public ClaimedTagFreshness(ExpiringMap entries, String memberId) {
        this(entries, memberId, CLAIM_TTL, WAIT);
    }

    public ClaimedTagFreshness(ExpiringMap entries, String memberId, Duration claimTtl, Duration wait) {
        this.entries = entries;
        this.memberId = memberId;
        this.claimTtl = claimTtl;
        this.wait = wait;
    }

    @Override
    public TagCheck check(RepositoryName repo, Tag tag) {
        return check(repo.value() + ":" + tag.value());
    }

    /** A key no tag's can equal: a tag has no {@code @}. */
    @Override
    public TagCheck referrers(RepositoryName repo, Digest subject) {
        return check(repo.value() + "@" + subject + "/referrers");
    }

    private TagCheck check(String key) {
        long deadline = System.nanoTime() + wait.toNanos();
        long poll = FIRST_POLL_MILLIS;
        while (true) {
            Optional<String> seen = entries.get(key);
            if (seen.isEmpty()) {
                String claim = CHECKING + memberId + " " + UUID.randomUUID();
                seen = entries.putIfAbsent(key, claim, claimTtl);
                if (seen.isEmpty()) {
                    return new TagCheck.Due(new Claim(key, claim));
                }
            }
            if (seen.get().startsWith(CONFIRMED)) {
                return new TagCheck.Fresh(Digest.parse(seen.get().substring(CONFIRMED.length())));
            }
            if (System.nanoTime() - deadline >= 0) {
                return new TagCheck.Pending();
            }
            sleep(poll);
            poll = Math.min(poll * 2, MAX_POLL_MILLIS);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while another member checks a tag", e);
        }
    }

    private final class Claim implements TagClaim {
        private final String key;
        private final String value;
        private final AtomicBoolean reported = new AtomicBoolean();

        Claim(String key, String value) {
            this.key = key;
            this.value = value;
        }

        @Override
        public void confirmed(Digest digest, Duration ttl) {
            if (!reported.compareAndSet(false, true)) {
                return;
            }
            if (ttl.isZero() || ttl.isNegative()) {
                entries.remove(key, value);
            } else {
                // Unconditional: a confirmation is true whoever claims the tag now.
                entries.put(key, CONFIRMED + digest, ttl);
            }
        }

        @Override
        public void abandoned() {
            if (reported.compareAndSet(false, true)) {
                entries.remove(key, value);
            }
        }
    }
}
