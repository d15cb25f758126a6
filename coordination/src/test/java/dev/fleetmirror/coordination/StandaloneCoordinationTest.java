package dev.fleetmirror.coordination;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fleetmirror.coordination.fill.FillClaim;
import dev.fleetmirror.core.digest.Digest;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class StandaloneCoordinationTest {

    @Test
    void aStandaloneNodeIsAClusterOfOneWithQuorum() {
        try (StandaloneCoordination coordination = new StandaloneCoordination()) {
            ClusterView view = coordination.view();
            assertThat(view.name()).isEqualTo(ClusterSettings.DEFAULT_NAME);
            assertThat(view.members()).singleElement().satisfies(member -> {
                assertThat(member.id()).isEqualTo(coordination.memberId());
                assertThat(member.local()).isTrue();
            });
            assertThat(view.oldest().id()).isEqualTo(coordination.memberId());
            assertThat(view.quorum()).isTrue();
        }
    }

    @Test
    void claimsMadeAfterAdvertisingCarryThePeerUrl() {
        try (StandaloneCoordination coordination = new StandaloneCoordination()) {
            Digest before = Digest.sha256("before".getBytes(StandardCharsets.UTF_8));
            Digest after = Digest.sha256("after".getBytes(StandardCharsets.UTF_8));
            assertThat(coordination.fills().claim(before)).isInstanceOf(FillClaim.Won.class);
            coordination.advertise("http://127.0.0.1:41234");
            assertThat(coordination.fills().claim(after)).isInstanceOf(FillClaim.Won.class);
            assertThat(coordination.fills().holder(before).orElseThrow().peerUrl()).isEmpty();
            assertThat(coordination.fills().holder(after).orElseThrow().peerUrl()).isEqualTo("http://127.0.0.1:41234");
            assertThat(coordination.fills().holder(after).orElseThrow().memberId()).isEqualTo(coordination.memberId());
            assertThat(coordination.view().members().get(0).peerUrl()).isEqualTo("http://127.0.0.1:41234");
        }
    }
}
