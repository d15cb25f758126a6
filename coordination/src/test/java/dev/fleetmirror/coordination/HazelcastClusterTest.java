package dev.fleetmirror.coordination;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fleetmirror.coordination.fill.FillClaim;
import dev.fleetmirror.coordination.fill.FillLease;
import dev.fleetmirror.core.digest.Digest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Real members over loopback TCP forming (or refusing to form) one cluster, and what a member's death frees. */
class HazelcastClusterTest {
    private static final Logger LOG = LoggerFactory.getLogger(HazelcastClusterTest.class);
    /** Far longer than any test waits: whatever frees a lease sooner is not its TTL. */
    private static final Duration LONG_TTL = Duration.ofMinutes(2);

    private final LoopbackMembers cluster = new LoopbackMembers(3);

    @AfterEach
    void stopMembers() {
        cluster.close();
    }

    @Test
    void threeMembersFormOneClusterAndAgreeOnTheOldest() {
        long started = System.nanoTime();
        HazelcastCoordination first = cluster.start(0, LONG_TTL);
        long alone = System.nanoTime();
        HazelcastCoordination second = cluster.start(1, LONG_TTL);
        long joinedOne = System.nanoTime();
        HazelcastCoordination third = cluster.start(2, LONG_TTL);
        long joinedTwo = System.nanoTime();
        LOG.info("member start: alone {} ms, joining one {} ms, joining two {} ms", (alone - started) / 1_000_000,
                (joinedOne - alone) / 1_000_000, (joinedTwo - joinedOne) / 1_000_000);

        for (HazelcastCoordination member : List.of(first, second, third)) {
            ClusterView view = member.view();
            assertThat(view.members()).extracting(ClusterView.Member::id)
                    .containsExactly(first.memberId(), second.memberId(), third.memberId());
            assertThat(view.oldest().id()).isEqualTo(first.memberId());
            assertThat(view.members()).filteredOn(ClusterView.Member::local).singleElement()
                    .extracting(ClusterView.Member::id).isEqualTo(member.memberId());
            assertThat(view.members()).extracting(ClusterView.Member::peerUrl)
                    .containsExactly(LoopbackMembers.peerUrl(0), LoopbackMembers.peerUrl(1), LoopbackMembers.peerUrl(2));
            assertThat(view.members()).allSatisfy(m -> assertThat(m.address()).startsWith("127.0.0.1:"));
            assertThat(view.name()).isEqualTo(cluster.settings(0, Optional.empty(), 1, LONG_TTL).name());
        }
        assertThat(first.view().members().get(1).address())
                .isEqualTo("127.0.0.1:" + cluster.settings(1, Optional.empty(), 1, LONG_TTL).port());
    }

    @Test
    void aMemberAloneHasNoQuorumUntilTheMinimumSizeJoined() {
        HazelcastCoordination first = cluster.start(cluster.settings(0, Optional.empty(), 2, LONG_TTL));
        assertThat(first.view().members()).hasSize(1);
        assertThat(first.view().quorum()).isFalse();
        HazelcastCoordination second = cluster.start(cluster.settings(1, Optional.empty(), 2, LONG_TTL));
        await().atMost(Duration.ofSeconds(10)).until(() -> first.view().quorum());
        assertThat(second.view().quorum()).isTrue();
        assertThat(second.view().members()).hasSize(2);
    }

    @Test
    void aMemberWithAnotherSecretStaysInAClusterOfItsOwn() {
        HazelcastCoordination first = cluster.start(cluster.settings(0, Optional.of("right"), 1, LONG_TTL));
        HazelcastCoordination stranger = cluster.start(cluster.settings(1, Optional.of("wrong"), 1, LONG_TTL));
        HazelcastCoordination friend = cluster.start(cluster.settings(2, Optional.of("right"), 1, LONG_TTL));
        await().atMost(Duration.ofSeconds(10)).until(() -> first.view().members().size() == 2);
        assertThat(friend.view().members()).extracting(ClusterView.Member::id)
                .containsExactly(first.memberId(), friend.memberId());
        assertThat(stranger.view().members()).extracting(ClusterView.Member::id)
                .containsExactly(stranger.memberId());
        // Its fills are its own, too: both sides win the same digest.
        Digest digest = digest();
        assertThat(first.fills().claim(digest)).isInstanceOf(FillClaim.Won.class);
        assertThat(stranger.fills().claim(digest)).isInstanceOf(FillClaim.Won.class);
    }

    @Test
    void aKilledOwnersFillIsWonByAnotherMemberWithinSeconds() {
        HazelcastCoordination owner = cluster.start(0, LONG_TTL);
        HazelcastCoordination follower = cluster.start(1, LONG_TTL);
        HazelcastCoordination third = cluster.start(2, LONG_TTL);
        Digest digest = digest();
        assertThat(owner.fills().claim(digest)).isInstanceOf(FillClaim.Won.class);
        assertThat(follower.fills().claim(digest)).isInstanceOf(FillClaim.Held.class);
        // Until partitions have migrated to the joiners, the first member holds the only copy of
        // everything and the lease would die with it: that would not show who frees it.
        await().atMost(Duration.ofSeconds(20))
                .until(() -> List.of(owner, follower, third).stream().allMatch(m -> m.hazelcast().getPartitionService().isClusterSafe()));

        long killed = System.nanoTime();
        LoopbackMembers.kill(owner);
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
                .until(() -> follower.fills().claim(digest) instanceof FillClaim.Won);
        long takenOver = System.nanoTime() - killed;
        LOG.info("fill taken over {} ms after its owner was killed", takenOver / 1_000_000);
        assertThat(Duration.ofNanos(takenOver)).isLessThan(LONG_TTL.dividedBy(4));

        assertThat(third.fills().holder(digest).orElseThrow().memberId()).isEqualTo(follower.memberId());
        assertThat(third.view().members()).extracting(ClusterView.Member::id)
                .containsExactly(follower.memberId(), third.memberId());
        assertThat(third.view().oldest().peerUrl()).isEqualTo(LoopbackMembers.peerUrl(1));
    }

    @Test
    void aClosedMembersLeasesAreFreeAtOnce() {
        HazelcastCoordination owner = cluster.start(0, LONG_TTL);
        HazelcastCoordination other = cluster.start(1, LONG_TTL);
        Digest digest = digest();
        FillLease lease = ((FillClaim.Won) owner.fills().claim(digest)).lease();
        owner.close();
        assertThat(lease.held()).isFalse();
        assertThat(other.fills().claim(digest)).isInstanceOf(FillClaim.Won.class);
        await().atMost(Duration.ofSeconds(10)).until(() -> other.view().members().size() == 1);
        assertThat(other.view().oldest().id()).isEqualTo(other.memberId());
    }

    private static Digest digest() {
        return Digest.sha256(UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8));
    }
}
