package dev.fleetmirror.core.name;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.digest.InvalidDigestException;
import org.junit.jupiter.api.Test;

class ReferenceTest {
    static final String DIGEST = "sha256:" + "ab".repeat(32);

    @Test
    void aValueWithAColonIsADigest() {
        assertThat(Reference.parse(DIGEST)).isEqualTo(new Reference.ByDigest(Digest.parse(DIGEST)));
        assertThat(Reference.parse(DIGEST).toString()).isEqualTo(DIGEST);
    }

    @Test
    void aValueWithoutAColonIsATag() {
        assertThat(Reference.parse("latest")).isEqualTo(Tag.of("latest"));
    }

    @Test
    void aMalformedDigestIsNeverTakenForATag() {
        assertThatThrownBy(() -> Reference.parse("sha256:abc")).isInstanceOf(InvalidDigestException.class);
        assertThatThrownBy(() -> Reference.parse("sha256:" + "AB".repeat(32))).isInstanceOf(InvalidDigestException.class);
        assertThatThrownBy(() -> Reference.parse("foo:bar")).isInstanceOf(InvalidDigestException.class);
    }

    @Test
    void aMalformedTagIsRejected() {
        assertThatThrownBy(() -> Reference.parse("../x")).isInstanceOf(InvalidNameException.class);
        assertThatThrownBy(() -> Reference.parse(null)).isInstanceOf(InvalidNameException.class);
        assertThatThrownBy(() -> Reference.parse("")).isInstanceOf(InvalidNameException.class);
    }
}
