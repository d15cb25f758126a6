package dev.fleetmirror.core.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * One generated case's source of randomness, with the few shapes the property tests are built
 * from. Numbers and lengths lean towards their bounds and towards zero, because that is where
 * parsers break; everything comes from one {@link SplittableRandom}, so a seed gives the same case
 * on every machine.
 */
public final class Draw {
    /**
     * Code points a hostile client might send: ASCII with controls, printable ASCII, Latin-1, the
     * BMP, lone surrogates (which no encoder can write as they are), and beyond the BMP.
     */
    private static final int[][] CODE_POINT_BANDS = {{0x00, 0x7f}, {0x20, 0x7e}, {0x20, 0x7e}, {0x80, 0xff},
        {0x100, 0xd7ff}, {0xd800, 0xdfff}, {0xe000, 0xfffd}, {0x10000, 0x10ffff}};

    private final SplittableRandom random;

    Draw(SplittableRandom random) {
        this.random = random;
    }

    /** A draw of its own from a fixed seed, for a test that builds values outside a case stream. */
    public static Draw seeded(long seed) {
        return new Draw(new SplittableRandom(seed));
    }

    /** True one time in {@code n}. */
    public boolean oneIn(int n) {
        return random.nextInt(n) == 0;
    }

    /** An int in {@code [min, max]}; one time in four one of the two bounds. */
    public int between(int min, int max) {
        return (int) between((long) min, (long) max);
    }

    /** A long in {@code [min, max]}; one time in four one of the two bounds or a neighbour of one. */
    public long between(long min, long max) {
        if (min > max) {
            throw new IllegalArgumentException(min + " > " + max);
        }
        if (oneIn(4)) {
            return pick(min, max, min == max ? min : min + 1, min == max ? max : max - 1);
        }
        long span = max - min + 1;
        if (span > 0) {
            return min + random.nextLong(span);
        }
        // The span does not fit in a long: more than half of all longs are inside it.
        long value;
        do {
            value = random.nextLong();
        } while (value < min || value > max);
        return value;
    }

    /** Any long: zero, one, minus one, the extremes, or anything between them. */
    public long anyLong() {
        return oneIn(4) ? pick(0L, 1L, -1L, Long.MAX_VALUE, Long.MIN_VALUE) : random.nextLong();
    }

    /** Any non-negative long, leaning towards small ones. */
    public long anyNonNegativeLong() {
        return switch (random.nextInt(4)) {
            case 0 -> pick(0L, 1L, Long.MAX_VALUE, Long.MAX_VALUE - 1);
            case 1 -> random.nextLong(0, 1_000);
            default -> random.nextLong(0, Long.MAX_VALUE);
        };
    }

    /** Any double, the awkward ones (NaN, infinities, -0.0, the extremes) included. */
    public double anyDouble() {
        return oneIn(3) ? pick(0.0, -0.0, 0.5, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
                Double.MAX_VALUE, Double.MIN_VALUE, -Double.MAX_VALUE) : Double.longBitsToDouble(random.nextLong());
    }

    @SafeVarargs
    public final <T> T pick(T... options) {
        return options[random.nextInt(options.length)];
    }

    public <T> T pick(List<T> options) {
        return options.get(random.nextInt(options.size()));
    }

    public char character(String alphabet) {
        return alphabet.charAt(random.nextInt(alphabet.length()));
    }

    /** The value of one of {@code choices}, each as likely as the others. */
    @SafeVarargs
    public final <T> T oneOf(Supplier<? extends T>... choices) {
        return choices[random.nextInt(choices.length)].get();
    }

    /** A length in {@code [min, max]}: often the minimum, sometimes the maximum, else anything between. */
    public int length(int min, int max) {
        return switch (random.nextInt(8)) {
            case 0 -> min;
            case 1 -> max;
            default -> random.nextInt(min, max + 1);
        };
    }

    public <T> List<T> list(int min, int max, Supplier<? extends T> element) {
        int size = length(min, max);
        List<T> list = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            list.add(element.get());
        }
        return list;
    }

    /** {@code min} to {@code max} pieces glued together. */
    public String joined(int min, int max, Supplier<String> piece) {
        return String.join("", list(min, max, piece));
    }

    /** Up to {@code maxLength} code points from anywhere in Unicode, control characters included. */
    public String text(int maxLength) {
        int length = length(0, maxLength);
        int[] band = CODE_POINT_BANDS[random.nextInt(CODE_POINT_BANDS.length)];
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < length; i++) {
            // Mostly one band per string, as real input is, with a stray character from another now and then.
            int[] from = oneIn(8) ? CODE_POINT_BANDS[random.nextInt(CODE_POINT_BANDS.length)] : band;
            text.appendCodePoint(random.nextInt(from[0], from[1] + 1));
        }
        return text.toString();
    }

    /** {@code min} to {@code max} characters of {@code alphabet}. */
    public String text(String alphabet, int min, int max) {
        int length = length(min, max);
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append(character(alphabet));
        }
        return text.toString();
    }

    public byte[] bytes(int maxLength) {
        byte[] bytes = new byte[length(0, maxLength)];
        random.nextBytes(bytes);
        return bytes;
    }
}
