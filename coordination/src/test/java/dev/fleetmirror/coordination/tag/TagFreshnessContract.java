package dev.fleetmirror.coordination.tag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.name.Tag;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * What every {@link TagFreshness} guarantees, whether its members are threads of one node or
 * members of a cluster: one upstream check per tag per TTL, the others wait for its outcome.
 */
abstract class TagFreshnessContract {
    static final Digest FIRST = Digest.sha256("first".getBytes(StandardCharsets.UTF_8));

    /** The freshness as member {@code index} (0, 1 or 2) sees it; one shared instance when standalone. */
    abstract TagFreshness member(int index);

    /** As {@link #member}, with a short claim and a short wait, for tests of lapsed claims. */
    abstract TagFreshness member(int index, Duration claimTtl, Duration wait);

    /** A repository of its own for each test: the cluster outlives a test. */
    final RepositoryName repo = new RepositoryName("team/app-" + UUID.randomUUID().toString().substring(0, 8));
    final Tag tag = new Tag("latest");

    @Test
    void tagConfirmedByOneMemberIsFreshOnAnother() {
        TagCheck first = member(0).check(repo, tag);
        assertThat(first).isInstanceOf(TagCheck.Due.class);
        ((TagCheck.Due) first).claim().confirmed(FIRST, Duration.ofMinutes(1));

        assertThat(member(1).check(repo, tag)).isEqualTo(new TagCheck.Fresh(FIRST));
        assertThat(member(2).check(repo, tag)).isEqualTo(new TagCheck.Fresh(FIRST));
    }

    @Test
    void referrersOfASubjectAreFreshOnEveryMemberAndApartFromItsReferrersTag() {
        Digest subject = Digest.sha256("subject".getBytes(StandardCharsets.UTF_8));
        Tag referrersTag = new Tag(subject.algorithm().prefix() + "-" + subject.hex());
        TagCheck first = member(0).referrers(repo, subject);
        assertThat(first).isInstanceOf(TagCheck.Due.class);
        ((TagCheck.Due) first).claim().confirmed(FIRST, Duration.ofMinutes(1));

        assertThat(member(1).referrers(repo, subject)).isEqualTo(new TagCheck.Fresh(FIRST));
        assertThat(member(2).check(repo, referrersTag)).isInstanceOf(TagCheck.Due.class);
    }

    @Test
    void concurrentChecksOnEveryMemberGoUpstreamOncePerTtl() throws Exception {
        Duration ttl = Duration.ofMillis(1500);
        Tag checked = tag;
        // A second round proves the window only if it ended within it: on a loaded machine a round of
        // 24 checks can outlast a short TTL, and then the round is done again with a twice longer one.
        for (int attempt = 1; ; attempt++) {
            Round first = upstreamChecks(checked, 24, ttl);
            assertThat(first.due()).as("checks in the first TTL window").isEqualTo(1);
            Round second = upstreamChecks(checked, 24, ttl);
            if (second.endedNanos() - first.confirmedNanos() < ttl.toNanos()) {
                assertThat(second.due()).as("checks again within the window").isZero();
                break;
            }
            assertThat(attempt).as("a round of checks ended within a TTL of %s", ttl).isLessThan(4);
            ttl = ttl.multipliedBy(2);
            checked = new Tag(tag.value() + "-" + attempt);
        }

        // Hazelcast ends entries up to a second after their TTL (it keeps expiry in whole seconds). Until the
        // window ends every round of checks finds the tag fresh; the first round after it goes upstream once.
        Tag last = checked;
        Duration window = ttl;
        int nextWindow = await().atMost(window.plusSeconds(5)).pollInterval(Duration.ofMillis(200))
                .until(() -> upstreamChecks(last, 24, window).due(), checks -> checks > 0);

        assertThat(nextWindow).as("checks in the next TTL window").isEqualTo(1);
    }

    /** A round of checks: how many went upstream, when the last of those confirmed, and when the round ended. */
    private record Round(int due, long confirmedNanos, long endedNanos) {
    }

    /** {@code callers} spread over the members check the tag at once; the one that must go upstream takes 200 ms. */
    private Round upstreamChecks(Tag checked, int callers, Duration ttl) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        CountDownLatch go = new CountDownLatch(1);
        AtomicInteger due = new AtomicInteger();
        AtomicLong confirmed = new AtomicLong();
        try {
            List<Future<TagCheck>> checks = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                TagFreshness freshness = member(i % 3);
                checks.add(pool.submit(() -> {
                    go.await();
                    TagCheck check = freshness.check(repo, checked);
                    if (check instanceof TagCheck.Due turn) {
                        due.incrementAndGet();
                        // The slow upstream answer is the point: the other callers must not go upstream meanwhile.
                        Thread.sleep(200);
                        // Taken before the confirmation: the window ends no sooner than a TTL after this.
                        confirmed.set(System.nanoTime());
                        turn.claim().confirmed(FIRST, ttl);
                    }
                    return check;
                }));
            }
            go.countDown();
            for (Future<TagCheck> check : checks) {
                assertThat(check.get(20, TimeUnit.SECONDS)).isInstanceOfAny(TagCheck.Due.class, TagCheck.Fresh.class);
            }
            return new Round(due.get(), confirmed.get(), System.nanoTime());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void abandonedCheckLeavesTheTagToTheNextMember() {
        TagCheck first = member(0).check(repo, tag);
        ((TagCheck.Due) first).claim().abandoned();

        TagCheck second = member(1).check(repo, tag);

        assertThat(second).isInstanceOf(TagCheck.Due.class);
        ((TagCheck.Due) second).claim().close();
    }

    @Test
    void confirmationWithAZeroTtlLeavesTheTagStale() {
        ((TagCheck.Due) member(0).check(repo, tag)).claim().confirmed(FIRST, Duration.ZERO);

        assertThat(member(1).check(repo, tag)).isInstanceOf(TagCheck.Due.class);
    }

    @Test
    void aClaimNobodyReportsOnLapsesAndWaitingMembersDecideAlone() {
        TagCheck held = member(0, Duration.ofMillis(800), Duration.ofMillis(300)).check(repo, tag);
        assertThat(held).isInstanceOf(TagCheck.Due.class);

        long start = System.nanoTime();
        TagCheck waited = member(1, Duration.ofMillis(800), Duration.ofMillis(300)).check(repo, tag);
        long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(waited).isEqualTo(new TagCheck.Pending());
        assertThat(waitedMillis).isBetween(250L, 3_000L);
        long lapse = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(3_000);
        TagCheck later;
        do {
            later = member(2, Duration.ofMillis(800), Duration.ofMillis(100)).check(repo, tag);
        } while (later instanceof TagCheck.Pending && System.nanoTime() < lapse);
        assertThat(later).as("the silent member's claim lapsed").isInstanceOf(TagCheck.Due.class);
    }

    @Test
    void aLateOutcomeOfALapsedClaimStillCounts() {
        TagCheck slow = member(0, Duration.ofMillis(300), Duration.ofMillis(100)).check(repo, tag);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        TagCheck next;
        do {
            next = member(1, Duration.ofMillis(300), Duration.ofMillis(100)).check(repo, tag);
        } while (!(next instanceof TagCheck.Due) && System.nanoTime() < deadline);
        assertThat(next).isInstanceOf(TagCheck.Due.class);

        ((TagCheck.Due) slow).claim().confirmed(FIRST, Duration.ofMinutes(1));
        ((TagCheck.Due) next).claim().abandoned();

        assertThat(member(2).check(repo, tag)).as("abandoning the newer claim does not erase the confirmation")
                .isEqualTo(new TagCheck.Fresh(FIRST));
    }
}
