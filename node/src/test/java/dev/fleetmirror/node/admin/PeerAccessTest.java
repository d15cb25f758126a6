package dev.fleetmirror.node.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class PeerAccessTest {

    @Test
    void withASecretOnlyCallersPresentingItArePermittedWhereverTheyCallFrom() {
        Optional<String> secret = Optional.of("s3cret");
        assertThat(PeerAccess.permits("10.0.0.9", "s3cret", secret)).isTrue();
        assertThat(PeerAccess.permits("127.0.0.1", "s3cret", secret)).isTrue();
        assertThat(PeerAccess.permits("127.0.0.1", null, secret)).isFalse();
        assertThat(PeerAccess.permits("127.0.0.1", "s3cre", secret)).isFalse();
        assertThat(PeerAccess.permits("127.0.0.1", "s3cret ", secret)).isFalse();
        assertThat(PeerAccess.permits("127.0.0.1", "", secret)).isFalse();
    }

    @Test
    void withoutASecretOnlyLoopbackCallersArePermitted() {
        Optional<String> none = Optional.empty();
        assertThat(PeerAccess.permits("127.0.0.1", null, none)).isTrue();
        assertThat(PeerAccess.permits("127.3.4.5", null, none)).isTrue();
        assertThat(PeerAccess.permits("::1", null, none)).isTrue();
        assertThat(PeerAccess.permits("0:0:0:0:0:0:0:1", null, none)).isTrue();
        assertThat(PeerAccess.permits("::ffff:127.0.0.1", null, none)).isTrue();
        assertThat(PeerAccess.permits("10.0.0.9", null, none)).isFalse();
        assertThat(PeerAccess.permits("fd00::1", "anything", none)).isFalse();
        assertThat(PeerAccess.permits("localhost", null, none)).isFalse();
        assertThat(PeerAccess.permits(null, null, none)).isFalse();
    }

    @Test
    void aRefusalSaysWhatIsNeeded() {
        assertThat(PeerAccess.requirement(Optional.of("x"))).contains(PeerAccess.SECRET_HEADER);
        assertThat(PeerAccess.requirement(Optional.empty())).contains("loopback").contains("cluster.secret");
    }
}
