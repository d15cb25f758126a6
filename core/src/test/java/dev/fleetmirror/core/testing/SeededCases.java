package dev.fleetmirror.core.testing;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/**
 * Generated cases for the property tests ({@code *PropertiesTest}): a {@code @MethodSource} returns
 * {@code SeededCases.of(seed, count, draw -> ...)} and the parameterised test checks its property on
 * each. The seed is fixed in the test, so every run, here or in CI, checks the same cases, and a
 * failure names the case (seed, index and value) that reproduces it. {@code -Dcases.factor=N} draws
 * N times as many cases, for a longer search on request.
 */
public final class SeededCases {
    private static final int SHOWN_CHARACTERS = 160;

    private SeededCases() {
    }

    /** {@code count} single-argument cases drawn from {@code seed}. */
    public static Stream<Arguments> of(long seed, int count, Function<Draw, ?> value) {
        return tuples(seed, count, draw -> Collections.singletonList(value.apply(draw)));
    }

    /**
     * {@code count} cases of several arguments each, drawn from {@code seed}. The list may hold
     * nulls (an absent header is a case too), so it is read as an array.
     */
    public static Stream<Arguments> tuples(long seed, int count, Function<Draw, List<?>> values) {
        SplittableRandom root = new SplittableRandom(seed);
        int total = count * Integer.getInteger("cases.factor", 1);
        return IntStream.range(0, total).mapToObj(index -> {
            Object[] drawn = values.apply(new Draw(root.split())).toArray();
            return Arguments.argumentSet("seed " + seed + " #" + index + ": " + shown(drawn), drawn);
        });
    }

    /** The drawn values as a display name can hold them: printable, escaped, and not too long. */
    private static String shown(Object[] values) {
        String text = Arrays.stream(values).map(SeededCases::shown).collect(Collectors.joining(", "));
        return text.length() <= SHOWN_CHARACTERS ? text : text.substring(0, SHOWN_CHARACTERS) + "...";
    }

    private static String shown(Object value) {
        if (value instanceof byte[] bytes) {
            return bytes.length + " bytes";
        }
        StringBuilder out = new StringBuilder();
        String.valueOf(value).chars().forEach(c -> {
            if (c >= 0x20 && c < 0x7f && c != '\\') {
                out.append((char) c);
            } else {
                out.append(String.format("\\u%04x", c));
            }
        });
        return value instanceof String ? "\"" + out + "\"" : out.toString();
    }
}
