package dev.fleetmirror.node.http;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code Content-Range} value, {@code bytes <first>-<last>/<total>} (RFC 9110 section 14.4), as an
 * upstream sends it with a 206, and as upload chunks carry it, where Docker's clients leave out the
 * unit and the total ({@code <first>-<last>}). One grammar for both; the caller says which form it
 * requires. {@code total} is -1 when unknown ({@code *} or absent).
 */
public record ContentRange(long first, long last, long total) {
    private static final Pattern FORM = Pattern.compile("\\s*(bytes\\s+)?(\\d+)-(\\d+)(?:/(\\d+|\\*))?\\s*");

    /** An upstream's answer to a ranged request: the unit and the total (or {@code *}) are required. */
    public static Optional<ContentRange> ofResponse(String value) {
        return parse(value).filter(range -> range.unit && range.totalGiven).map(Parsed::range);
    }

    /** An upload chunk's range: the unit and the total are optional. */
    public static Optional<ContentRange> ofChunk(String value) {
        return parse(value).map(Parsed::range);
    }

    private record Parsed(ContentRange range, boolean unit, boolean totalGiven) {
    }

    private static Optional<Parsed> parse(String value) {
        if (value == null) {
            return Optional.empty();
        }
        Matcher m = FORM.matcher(value);
        if (!m.matches()) {
            return Optional.empty();
        }
        try {
            long total = m.group(4) == null || m.group(4).equals("*") ? -1 : Long.parseLong(m.group(4));
            return Optional.of(new Parsed(new ContentRange(Long.parseLong(m.group(2)), Long.parseLong(m.group(3)), total),
                    m.group(1) != null, m.group(4) != null));
        } catch (NumberFormatException tooLong) {
            return Optional.empty();
        }
    }
}
