package dev.fleetmirror.node.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fleetmirror.core.error.ErrorCode;
import dev.fleetmirror.core.error.RegistryException;
import dev.fleetmirror.core.testing.Draw;
import dev.fleetmirror.core.testing.SeededCases;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EmptySource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The {@code Content-Range} of an upload chunk: two non-negative numbers, or BLOB_UPLOAD_INVALID.
 * The cases are drawn from fixed seeds ({@link SeededCases}).
 */
class ChunkRangePropertiesTest {

    private static String number(Draw draw) {
        return draw.oneOf(() -> String.valueOf(draw.anyNonNegativeLong()),
                () -> draw.pick("", "-1", "99999999999999999999", "1e3", " 7", "\u0663"));
    }

    static Stream<Arguments> headers() {
        return SeededCases.of(0x6368756eL, 500, draw -> draw.oneOf(
                () -> draw.pick("", "bytes ", "bytes=", " ") + number(draw) + draw.pick("-", "--", "/") + number(draw)
                        + draw.pick("", "/*", "/100", "/x", " ", "/-1"),
                () -> draw.text(60)));
    }

    @ParameterizedTest
    @MethodSource("headers")
    @EmptySource
    @ValueSource(strings = {"-", "0-", "-0", "0--1", "99999999999999999999-0", "0-99999999999999999999", "\u0663-\u0664",
        "bytes 0-1/-1", "0-1 "})
    void anyContentRangeYieldsTwoNonNegativeNumbersOrBlobUploadInvalid(String header) {
        try {
            long[] range = UploadTransfer.chunkRange(header);
            assertThat(range).hasSize(2);
            assertThat(range[0]).isNotNegative();
            assertThat(range[1]).isNotNegative();
        } catch (RegistryException e) {
            assertThat(e.code()).isEqualTo(ErrorCode.BLOB_UPLOAD_INVALID);
        }
    }

    static Stream<Arguments> wellFormed() {
        return SeededCases.tuples(0x72616e67L, 200, draw -> List.of(draw.anyNonNegativeLong(), draw.anyNonNegativeLong()));
    }

    @ParameterizedTest
    @MethodSource("wellFormed")
    @CsvSource({"0, 0", "9223372036854775807, 9223372036854775807"})
    void wellFormedRangesAreRead(long start, long end) {
        assertThat(UploadTransfer.chunkRange(start + "-" + end)).containsExactly(start, end);
        assertThat(UploadTransfer.chunkRange("bytes " + start + "-" + end + "/*")).containsExactly(start, end);
    }
}
