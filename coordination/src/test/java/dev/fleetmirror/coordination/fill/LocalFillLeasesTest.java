package dev.fleetmirror.coordination.fill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fleetmirror.core.digest.Digest;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The fill-lease contract for a node that is its own cluster. */
class LocalFillLeasesTest extends FillLeasesContract {
    private static final String MEMBER = "the-only-member";
    private static final String PEER_URL = "http://127.0.0.1:5000";

    private final LocalFillLeases leases = new LocalFillLeases(MEMBER, () -> PEER_URL);

    @Override
    protected int members() {
        return 1;
    }

    @Override
    protected FillLeases leases(int member) {
        return leases;
    }

    @Override
    protected String memberId(int member) {
        return MEMBER;
    }

    @Override
    protected String peerUrl(int member) {
        return PEER_URL;
    }

    @Test
    void aLeaseIsHeldUntilReleasedHoweverLongTheFillTakes() throws Exception {
        Digest digest = freshDigest();
        FillLease lease = won(leases.claim(digest));
        // A local lease has no TTL: it stays held for as long as one looks.
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(lease::held);
        assertThat(leases.claim(digest)).isInstanceOf(FillClaim.Held.class);
        lease.close();
        assertThat(lease.held()).isFalse();
        assertThat(leases.claim(digest)).isInstanceOf(FillClaim.Won.class);
    }
}
