package dev.fleetmirror.node.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fleetmirror.core.testing.Draw;
import dev.fleetmirror.core.testing.SeededCases;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An upstream's {@code Content-Range} on a resumed fill: read, or null (ignored), never an
 * exception. The cases are drawn from fixed seeds ({@link SeededCases}).
 */
class ContentRangePropertiesTest {

    private static String number(Draw draw) {
        return draw.oneOf(() -> String.valueOf(draw.anyLong()), () -> draw.pick("", "*", "99999999999999999999", " 3 "));
    }

    static Stream<Arguments> headers() {
        return SeededCases.of(0x75637272L, 500, draw -> draw.oneOf(
                () -> draw.pick("bytes ", "bytes", "bytes=", "") + number(draw) + draw.pick("-", "/", "") + number(draw)
                        + draw.pick("/", "-", "") + number(draw),
                () -> draw.text(40),
                () -> null));
    }

    @ParameterizedTest
    @MethodSource("headers")
    @NullAndEmptySource
    @ValueSource(strings = {"bytes", "bytes -/", "bytes 0-", "bytes -1-5/10", "bytes 5-1/*", "bytes 99999999999999999999-1/2",
        "bytes 0-1/99999999999999999999", "bytes */10"})
    void anyContentRangeIsReadOrIgnored(String header) {
        ContentRange.ofResponse(header).ifPresent(range -> {
            assertThat(range.first()).isNotNegative();
            assertThat(range.last()).isNotNegative();
            assertThat(range.total()).isGreaterThanOrEqualTo(-1);
        });
    }

    static Stream<Arguments> wellFormed() {
        return SeededCases.tuples(0x77656c6cL, 200, draw -> List.of(draw.anyNonNegativeLong(), draw.anyNonNegativeLong(),
                draw.anyNonNegativeLong()));
    }

    @ParameterizedTest
    @MethodSource("wellFormed")
    @CsvSource({"0, 0, 0", "0, 0, 1", "9223372036854775807, 9223372036854775807, 9223372036854775807"})
    void wellFormedRangesAreRead(long first, long last, long total) {
        assertThat(ContentRange.ofResponse("bytes " + first + "-" + last + "/" + total))
                .contains(new ContentRange(first, last, total));
        assertThat(ContentRange.ofResponse("bytes " + first + "-" + last + "/*")).contains(new ContentRange(first, last, -1));
    }
}
