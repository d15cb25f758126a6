package dev.fleetmirror.core.digest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DigestTest {
    static final String HEX64 = "b5bb9d8014a0f9b1d61e21e796d78dccdf1352f23cd32812f4850b878ae4944c";

    @Test
    void parsesSha256AndPrintsItBack() {
        Digest digest = Digest.parse("sha256:" + HEX64);

        assertThat(digest.algorithm()).isEqualTo(DigestAlgorithm.SHA256);
        assertThat(digest.hex()).isEqualTo(HEX64);
        assertThat(digest.toString()).isEqualTo("sha256:" + HEX64);
    }

    @Test
    void parsesSha512() {
        String hex = "a".repeat(128);

        assertThat(Digest.parse("sha512:" + hex).algorithm()).isEqualTo(DigestAlgorithm.SHA512);
    }

    @Test
    void computesTheKnownSha256OfContent() {
        assertThat(Digest.sha256("foo\n".getBytes(StandardCharsets.US_ASCII)).hex()).isEqualTo(HEX64);
        assertThat(Digest.sha256(new byte[0]).toString())
                .isEqualTo("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "",
            "sha256",
            "sha256:",
            ":" + HEX64,
            "sha256:" + HEX64 + "0",
            "sha256:" + "b5bb9d8014a0f9b1d61e21e796d78dccdf1352f23cd32812f4850b878ae4944",
            "sha256:B5BB9D8014A0F9B1D61E21E796D78DCCDF1352F23CD32812F4850B878AE4944C",
            "SHA256:" + HEX64,
            "md5:d41d8cd98f00b204e9800998ecf8427e",
            "sha384:" + "a",
            "sha512:" + HEX64,
            "sha256:" + "g5bb9d8014a0f9b1d61e21e796d78dccdf1352f23cd32812f4850b878ae4944c",
            "sha256:../../../../etc/passwd",
            "sha256:" + HEX64 + ":" + HEX64,
            " sha256:" + HEX64,
    })
    void rejectsMalformedDigests(String value) {
        assertThatThrownBy(() -> Digest.parse(value)).isInstanceOf(InvalidDigestException.class);
        assertThat(Digest.isDigest(value)).isFalse();
    }

    @Test
    void rejectsNull() {
        assertThatThrownBy(() -> Digest.parse(null)).isInstanceOf(InvalidDigestException.class);
    }

    @Test
    void messageOfAWrongLengthDigestSaysTheExpectedLength() {
        assertThatThrownBy(() -> Digest.parse("sha256:abc"))
                .hasMessageContaining("64 hex characters, has 3");
    }

    @Test
    void messageAbbreviatesHostileLongInput() {
        String hostile = "sha256:" + "a".repeat(100_000);

        assertThatThrownBy(() -> Digest.parse(hostile))
                .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(300));
    }

    @Test
    void ordersByStringForm() {
        Digest a = Digest.parse("sha256:" + "a".repeat(64));
        Digest b = Digest.parse("sha256:" + "b".repeat(64));

        assertThat(a).isLessThan(b);
    }
}
