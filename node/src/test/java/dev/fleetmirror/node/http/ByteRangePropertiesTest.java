package dev.fleetmirror.node.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fleetmirror.core.testing.Draw;
import dev.fleetmirror.core.testing.SeededCases;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code Range} headers of any shape: the answer is the whole blob, 416, or a range inside the
 * blob. The cases are drawn from fixed seeds ({@link SeededCases}).
 */
class ByteRangePropertiesTest {
    private static final long MAX_SIZE = 1L << 40;

    private static String number(Draw draw) {
        return draw.oneOf(() -> String.valueOf(draw.anyNonNegativeLong()),
                () -> draw.pick("", "0", "-1", "99999999999999999999999", " 1", "1 ", "+1", "0x10", "1.5", "\u0661"));
    }

    private static String header(Draw draw) {
        return draw.oneOf(
                () -> draw.pick("bytes=", "bytes =", " bytes= ", "BYTES=", "items=", "bytes") + number(draw)
                        + draw.pick("-", "--", ",", " - ", "") + number(draw) + draw.pick("", ",0-1", ", 5-", " "),
                () -> draw.text(60));
    }

    static Stream<Arguments> headersAndSizes() {
        return SeededCases.tuples(0x72616e67L, 500, draw -> List.of(header(draw), draw.between(0L, MAX_SIZE)));
    }

    @ParameterizedTest
    @MethodSource("headersAndSizes")
    @CsvSource(delimiter = '|', value = {"bytes=0-0 | 0", "bytes=0- | 0", "bytes=-1 | 0", "bytes=-0 | 10", "bytes=0-0 | 1",
        "bytes=5-4 | 10", "bytes=10- | 10", "bytes=9- | 10", "bytes=-11 | 10", "bytes=0-99999999999999999999 | 10",
        "bytes=0-1,2-3 | 10", "'bytes=0-1, 5-' | 10"})
    void anyRangeHeaderYieldsWholeUnsatisfiableOrARangeInsideTheBlob(String header, long size) {
        ByteRange.Request request = ByteRange.parse(Optional.of(header), size);
        if (request instanceof ByteRange.Request.Partial partial) {
            ByteRange range = partial.range();
            assertThat(range.first()).isNotNegative().isLessThanOrEqualTo(range.last());
            assertThat(range.last()).isLessThan(size);
            assertThat(range.length()).isPositive().isLessThanOrEqualTo(size);
            assertThat(range.contentRange(size)).isEqualTo("bytes " + range.first() + "-" + range.last() + "/" + size);
        } else {
            assertThat(request).isInstanceOfAny(ByteRange.Request.Whole.class, ByteRange.Request.Unsatisfiable.class);
        }
    }

    static Stream<Arguments> sizesAndBounds() {
        return SeededCases.tuples(0x696e7369L, 300, draw -> List.of(draw.between(1L, MAX_SIZE), draw.between(0L, MAX_SIZE),
                draw.between(0L, MAX_SIZE)));
    }

    @ParameterizedTest
    @MethodSource("sizesAndBounds")
    @CsvSource({"1, 0, 0", "1, 1, 1", "10, 9, 9", "10, 0, 9"})
    void aRangeInsideTheBlobIsServedExactly(long size, long a, long b) {
        long first = Math.min(a, b) % size;
        long last = Math.max(first, Math.max(a, b) % size);
        ByteRange.Request request = ByteRange.parse(Optional.of("bytes=" + first + "-" + last), size);
        assertThat(request).isEqualTo(new ByteRange.Request.Partial(new ByteRange(first, last)));
    }
}
