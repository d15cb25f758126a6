package dev.fleetmirror.coordination.fill;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fleetmirror.core.digest.Digest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What every {@link FillLeases} promises, whether its members share a Hazelcast map or it is one
 * process alone. A subclass provides the members (one for the standalone implementation); claims
 * are made from each of them, so the cluster case shows that members agree, not just that one
 * member agrees with itself.
 */
public abstract class FillLeasesContract {

    /** How many members the implementation under test has. */
    protected abstract int members();

    protected abstract FillLeases leases(int member);

    protected abstract String memberId(int member);

    protected abstract String peerUrl(int member);

    /** A digest no other test (of any class sharing the members) uses. */
    protected static Digest freshDigest() {
        return Digest.sha256(UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8));
    }

    private int last() {
        return members() - 1;
    }

    @Test
    void aClaimOfAFreeDigestWinsAndNamesItsMemberAsHolder() {
        Digest digest = freshDigest();
        Instant before = Instant.now().minusSeconds(1);
        FillClaim claim = leases(0).claim(digest, "corp:team/app");
        assertThat(claim).isInstanceOf(FillClaim.Won.class);
        assertThat(((FillClaim.Won) claim).lease().held()).isTrue();
        for (int member = 0; member < members(); member++) {
            assertThat(leases(member).holder(digest)).hasValueSatisfying(holder -> {
                assertThat(holder.digest()).isEqualTo(digest);
                assertThat(holder.memberId()).isEqualTo(memberId(0));
                assertThat(holder.peerUrl()).isEqualTo(peerUrl(0));
                assertThat(holder.size()).isEqualTo(-1);
                assertThat(holder.origin()).as("every member learns what the fill is for").isEqualTo("corp:team/app");
                assertThat(holder.sameOrigin("corp:team/app")).isTrue();
                assertThat(holder.sameOrigin("pub:team/app")).isFalse();
                assertThat(holder.since()).isAfter(before).isBefore(Instant.now().plusSeconds(1));
            });
        }
        ((FillClaim.Won) claim).lease().release();
    }

    @Test
    void aDigestNobodyClaimedHasNoHolder() {
        for (int member = 0; member < members(); member++) {
            assertThat(leases(member).holder(freshDigest())).isEmpty();
        }
    }

    @Test
    void aClaimOfAHeldDigestNamesTheHolderAndItsPeerUrl() {
        Digest digest = freshDigest();
        FillLease lease = won(leases(last()).claim(digest));
        for (int member = 0; member < members(); member++) {
            FillClaim again = leases(member).claim(digest);
            assertThat(again).isInstanceOfSatisfying(FillClaim.Held.class, held -> {
                assertThat(held.holder().memberId()).isEqualTo(memberId(last()));
                assertThat(held.holder().peerUrl()).isEqualTo(peerUrl(last()));
            });
        }
        assertThat(lease.held()).isTrue();
        lease.release();
    }

    @Test
    void concurrentClaimsFromEveryMemberHaveExactlyOneWinner() throws Exception {
        int threads = 24;
        for (int round = 0; round < 5; round++) {
            Digest digest = freshDigest();
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<FillClaim>> claims = new ArrayList<>();
            try {
                for (int t = 0; t < threads; t++) {
                    FillLeases leases = leases(t % members());
                    claims.add(pool.submit(() -> {
                        start.await();
                        return leases.claim(digest);
                    }));
                }
                start.countDown();
                List<FillClaim> answers = new ArrayList<>();
                for (Future<FillClaim> claim : claims) {
                    answers.add(claim.get(30, TimeUnit.SECONDS));
                }
                List<FillClaim.Won> winners = answers.stream()
                        .filter(FillClaim.Won.class::isInstance).map(FillClaim.Won.class::cast).toList();
                assertThat(winners).hasSize(1);
                String winner = leases(0).holder(digest).orElseThrow().memberId();
                int winningMember = memberIndex(winner);
                assertThat(answers).filteredOn(FillClaim.Held.class::isInstance).hasSize(threads - 1)
                        .allSatisfy(answer -> {
                            FillHolder holder = ((FillClaim.Held) answer).holder();
                            assertThat(holder.memberId()).isEqualTo(winner);
                            assertThat(holder.peerUrl()).isEqualTo(peerUrl(winningMember));
                        });
                winners.get(0).lease().release();
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void afterReleaseTheNextClaimWinsAtOnce() {
        Digest digest = freshDigest();
        FillLease first = won(leases(0).claim(digest));
        first.release();
        assertThat(first.held()).isFalse();
        assertThat(leases(last()).holder(digest)).isEmpty();
        FillLease second = won(leases(last()).claim(digest));
        assertThat(second.held()).isTrue();
        assertThat(leases(0).holder(digest).orElseThrow().memberId()).isEqualTo(memberId(last()));
        second.release();
        second.release();
        assertThat(leases(0).holder(digest)).isEmpty();
    }

    @Test
    void aReleasedLeaseCannotTouchTheNewerLeaseOfItsDigest() {
        Digest digest = freshDigest();
        FillLease stale = won(leases(0).claim(digest));
        stale.release();
        FillLease current = won(leases(last()).claim(digest));
        stale.release();
        stale.announceSize(123);
        assertThat(stale.held()).isFalse();
        assertThat(current.held()).isTrue();
        assertThat(leases(0).holder(digest)).hasValueSatisfying(holder -> {
            assertThat(holder.memberId()).isEqualTo(memberId(last()));
            assertThat(holder.size()).isEqualTo(-1);
        });
        current.release();
    }

    @Test
    void anAnnouncedSizeIsVisibleToEveryMember() {
        Digest digest = freshDigest();
        FillLease lease = won(leases(0).claim(digest));
        lease.announceSize(7_340_032);
        for (int member = 0; member < members(); member++) {
            assertThat(leases(member).holder(digest).orElseThrow().size()).isEqualTo(7_340_032);
        }
        FillClaim later = leases(last()).claim(digest);
        assertThat(later).isInstanceOfSatisfying(FillClaim.Held.class,
                held -> assertThat(held.holder().size()).isEqualTo(7_340_032));
        assertThat(lease.held()).isTrue();
        lease.release();
    }

    @Test
    void inFlightListsEveryFillWithItsHolderUntilReleased() {
        Digest one = freshDigest();
        Digest other = freshDigest();
        FillLease first = won(leases(0).claim(one));
        FillLease second = won(leases(last()).claim(other));
        second.announceSize(42);
        for (int member = 0; member < members(); member++) {
            assertThat(leases(member).inFlight())
                    .contains(new FillHolder(one, memberId(0), peerUrl(0), -1,
                            leases(0).holder(one).orElseThrow().since()))
                    .anySatisfy(holder -> {
                        assertThat(holder.digest()).isEqualTo(other);
                        assertThat(holder.memberId()).isEqualTo(memberId(last()));
                        assertThat(holder.peerUrl()).isEqualTo(peerUrl(last()));
                        assertThat(holder.size()).isEqualTo(42);
                    });
        }
        first.release();
        second.release();
        for (int member = 0; member < members(); member++) {
            assertThat(leases(member).inFlight()).extracting(FillHolder::digest).doesNotContain(one, other);
        }
    }

    @Test
    void aStoredOutcomeIsWhatEveryMembersNextClaimLearnsWhateverItsOrigin() {
        Digest digest = freshDigest();
        won(leases(0).claim(digest, "corp:team/app")).release(FillOutcome.STORED);
        for (int member = 0; member < members(); member++) {
            assertThat(leases(member).holder(digest)).as("no fill in flight").isEmpty();
            assertThat(leases(member).inFlight()).extracting(FillHolder::digest).doesNotContain(digest);
            for (String origin : List.of("corp:team/app", "pub:team/app")) {
                assertThat(leases(member).claim(digest, origin)).isInstanceOfSatisfying(FillClaim.Settled.class, settled -> {
                    assertThat(settled.outcome()).isEqualTo(FillOutcome.STORED);
                    assertThat(settled.origin()).as("what it was stored for").isEqualTo("corp:team/app");
                    assertThat(settled.sameOrigin(origin)).isEqualTo(origin.equals("corp:team/app"));
                });
            }
        }
    }

    @Test
    void aStoredOutcomeForgottenBecauseItsDataWasDeletedLetsTheNextClaimWinOnEveryMember() {
        Digest digest = freshDigest();
        won(leases(0).claim(digest, "corp:team/app")).release(FillOutcome.STORED);
        leases(last()).forgetStored(digest);
        FillLease again = won(leases(0).claim(digest, "corp:team/app"));
        // A fill in flight is not an outcome: forgetting leaves it to its holder.
        leases(last()).forgetStored(digest);
        assertThat(leases(last()).claim(digest, "corp:team/app")).isInstanceOf(FillClaim.Held.class);
        again.release(FillOutcome.MISSING);
        // Nor is a remembered 404 forgotten: only what turned out not to be stored.
        leases(0).forgetStored(digest);
        assertThat(leases(last()).claim(digest, "corp:team/app")).isInstanceOfSatisfying(FillClaim.Settled.class,
                settled -> assertThat(settled.outcome()).isEqualTo(FillOutcome.MISSING));
    }

    @Test
    void aMissingOutcomeAnswersClaimsOfItsOriginOnlyAndAnotherOriginsClaimWins() {
        Digest digest = freshDigest();
        won(leases(0).claim(digest, "corp:team/app")).release(FillOutcome.MISSING);
        assertThat(leases(last()).claim(digest, "corp:team/app")).isInstanceOfSatisfying(FillClaim.Settled.class,
                settled -> assertThat(settled.outcome()).isEqualTo(FillOutcome.MISSING));
        FillLease other = won(leases(last()).claim(digest, "pub:team/app"));
        assertThat(leases(0).holder(digest)).hasValueSatisfying(holder -> assertThat(holder.origin()).isEqualTo("pub:team/app"));
        other.release();
        // The 404 was forgotten once another origin claimed.
        won(leases(0).claim(digest, "corp:team/app")).release();
    }

    protected static FillLease won(FillClaim claim) {
        assertThat(claim).isInstanceOf(FillClaim.Won.class);
        return ((FillClaim.Won) claim).lease();
    }

    private int memberIndex(String id) {
        for (int member = 0; member < members(); member++) {
            if (memberId(member).equals(id)) {
                return member;
            }
        }
        throw new AssertionError("no member has id " + id);
    }
}
