package dev.fleetmirror.gc.mark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fleetmirror.core.digest.Digest;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DigestSetTest {

    private static String digest(int i) {
        return Digest.sha256(ByteBuffer.allocate(4).putInt(i).array()).hex();
    }

    @Test
    void holdsWhatWasAddedAndNothingElseAcrossGrowth() {
        DigestSet set = new DigestSet(4);
        for (int i = 0; i < 50_000; i += 2) {
            assertThat(set.add(digest(i))).isTrue();
        }
        assertThat(set.add(digest(0))).as("a second add").isFalse();
        assertThat(set.size()).isEqualTo(25_000);
        for (int i = 0; i < 50_000; i++) {
            assertThat(set.contains(digest(i))).as("digest %d", i).isEqualTo(i % 2 == 0);
        }
        Set<String> seen = new HashSet<>();
        set.forEach(seen::add);
        assertThat(seen).hasSize(25_000).contains(digest(0), digest(49_998)).doesNotContain(digest(1));
    }

    @Test
    void theAllZeroDigestIsADigestToo() {
        DigestSet set = new DigestSet();
        String zero = "0".repeat(64);
        assertThat(set.contains(zero)).isFalse();
        assertThat(set.add(zero)).isTrue();
        assertThat(set.contains(zero)).isTrue();
        assertThat(set.size()).isEqualTo(1);
    }

    @Test
    void aMillionDigestsTakeAtMost64MiB() {
        DigestSet set = new DigestSet();
        for (int i = 0; i < 1_000_000; i++) {
            set.add(digest(i));
        }
        assertThat(set.size()).isEqualTo(1_000_000);
        assertThat(set.tableBytes()).as("the table of a million digests").isLessThanOrEqualTo(64L << 20);
        assertThat(set.contains(digest(999_999))).isTrue();
        assertThat(set.contains(digest(1_000_000))).isFalse();
    }
}
