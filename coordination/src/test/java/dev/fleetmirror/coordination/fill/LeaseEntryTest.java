package dev.fleetmirror.coordination.fill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class LeaseEntryTest {

    @Test
    void anEntryReadsBackAsWrittenWhateverItsPeerUrlContains() {
        LeaseEntry entry = new LeaseEntry("token-1", "member-1", 1234, Instant.ofEpochMilli(1_700_000_000_123L),
                "http://[::1]:5000/prefix;odd=1");
        String encoded = entry.encode();
        assertThat(LeaseEntry.decode(encoded)).isEqualTo(entry);
        assertThat(LeaseEntry.tokenOf(encoded)).isEqualTo("token-1");
    }

    @Test
    void somethingElseIsNotReadAsALease() {
        assertThatThrownBy(() -> LeaseEntry.decode("2;t;o;1;2;u")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LeaseEntry.decode("garbage")).isInstanceOf(IllegalArgumentException.class);
        assertThat(LeaseEntry.tokenOf("garbage")).isEmpty();
    }
}
