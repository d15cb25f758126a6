package dev.fleetmirror.coordination.fill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hazelcast.map.IMap;
import dev.fleetmirror.coordination.HazelcastCoordination;
import dev.fleetmirror.coordination.LoopbackMembers;
import dev.fleetmirror.core.digest.Digest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The fill-lease contract across three real members over loopback TCP, with a one-second lease
 * TTL so that every test also runs while leases are being renewed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HazelcastFillLeasesTest extends FillLeasesContract {
    private static final Duration TTL = Duration.ofSeconds(1);

    private final LoopbackMembers cluster = new LoopbackMembers(3);
    private final List<HazelcastCoordination> members = new ArrayList<>();

    @BeforeAll
    void startMembers() {
        for (int i = 0; i < 3; i++) {
            members.add(cluster.start(i, TTL));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> members.stream().allMatch(m -> m.view().members().size() == 3));
    }

    @AfterAll
    void stopMembers() {
        cluster.close();
    }

    @Override
    protected int members() {
        return members.size();
    }

    @Override
    protected FillLeases leases(int member) {
        return members.get(member).fills();
    }

    @Override
    protected String memberId(int member) {
        return members.get(member).memberId();
    }

    @Override
    protected String peerUrl(int member) {
        return LoopbackMembers.peerUrl(member);
    }

    @Test
    void aLeaseOutlivesItsTtlWhileItsOwnerRenewsIt() throws Exception {
        Digest digest = freshDigest();
        FillLease lease = won(leases(1).claim(digest));
        // Unrenewed, the map entry would be gone after the TTL plus Hazelcast's one-second resolution:
        // held for three TTLs is the behaviour, checked all along rather than once at the end.
        await().during(TTL.multipliedBy(3)).atMost(TTL.multipliedBy(3).plusSeconds(2)).until(lease::held);
        assertThat(leases(2).claim(digest)).isInstanceOfSatisfying(FillClaim.Held.class,
                held -> assertThat(held.holder().memberId()).isEqualTo(memberId(1)));
        lease.release();
        assertThat(leases(2).claim(digest)).isInstanceOf(FillClaim.Won.class);
    }

    @Test
    void aLeaseWhoseEntryWasTakenByAnotherClaimIsNoLongerHeldAndCannotRemoveIt() {
        Digest digest = freshDigest();
        FillLease lapsed = won(leases(0).claim(digest));
        // What a lapse looks like from the map: the entry is gone and another member claims the digest.
        IMap<String, String> map = members.get(1).hazelcast().getMap(HazelcastFillLeases.MAP_NAME);
        map.remove(digest.toString());
        FillLease taker = won(leases(2).claim(digest));
        await().atMost(TTL.multipliedBy(3)).until(() -> !lapsed.held());
        lapsed.announceSize(99);
        lapsed.release();
        assertThat(taker.held()).isTrue();
        assertThat(leases(1).holder(digest)).hasValueSatisfying(holder -> {
            assertThat(holder.memberId()).isEqualTo(memberId(2));
            assertThat(holder.size()).isEqualTo(-1);
        });
        taker.release();
    }
}
