package dev.fleetmirror.coordination.fill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class LeaseEntryTest {

    @Test
    void anEntryReadsBackAsWrittenWhateverItsOriginAndPeerUrlContain() {
        LeaseEntry entry = new LeaseEntry("token-1", "member-1", 1234, Instant.ofEpochMilli(1_700_000_000_123L),
                "corp; odd:name/with%signs", "http://[::1]:5000/prefix;odd=1");
        String encoded = entry.encode();
        assertThat(LeaseEntry.decode(encoded)).isEqualTo(entry);
        assertThat(LeaseEntry.tokenOf(encoded)).isEqualTo("token-1");
    }

    @Test
    void aSettledEntryReadsBackWithItsOutcomeAndStandsForNoFill() {
        LeaseEntry filling = new LeaseEntry("token-1", "member-1", 1234, Instant.ofEpochMilli(1_700_000_000_123L),
                "corp; odd:name", "http://127.0.0.1:5000/");
        LeaseEntry settled = filling.settled(FillOutcome.MISSING);
        String encoded = settled.encode();
        assertThat(encoded).startsWith("3;");
        assertThat(LeaseEntry.decode(encoded)).isEqualTo(settled);
        assertThat(LeaseEntry.decode(encoded).filling()).isFalse();
        assertThat(LeaseEntry.tokenOf(encoded)).isEqualTo("token-1");
        assertThat(filling.encode()).as("a fill in flight stays readable by the previous release").startsWith("2;");
        assertThat(settled.settledFor("corp; odd:name")).isPresent();
        assertThat(settled.settledFor("pub:name")).as("a 404 says nothing of another origin").isEmpty();
        assertThat(filling.settled(FillOutcome.STORED).settledFor("pub:name")).isPresent();
    }

    @Test
    void anEntryOfTheFirstVersionHasNoOrigin() {
        LeaseEntry old = LeaseEntry.decode("1;t;o;12;1700000000123;http://127.0.0.1:5000/x;y");
        assertThat(old.origin()).isEmpty();
        assertThat(old.peerUrl()).isEqualTo("http://127.0.0.1:5000/x;y");
        assertThat(old.holder(dev.fleetmirror.core.digest.Digest.parse("sha256:" + "a".repeat(64))).sameOrigin(""))
                .as("an unknown origin is nobody's").isFalse();
    }

    @Test
    void somethingElseIsNotReadAsALease() {
        assertThatThrownBy(() -> LeaseEntry.decode("2;t;o;1;2;u")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LeaseEntry.decode("3;t;o;1;2;u;v")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LeaseEntry.decode("garbage")).isInstanceOf(IllegalArgumentException.class);
        assertThat(LeaseEntry.tokenOf("garbage")).isEmpty();
    }
}
