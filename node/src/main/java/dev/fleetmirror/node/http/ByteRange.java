package dev.fleetmirror.node.http;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One satisfiable byte range of a blob, parsed from a {@code Range} request header
 * ({@code bytes=a-b}, {@code bytes=a-}, {@code bytes=-n}).
 */
public record ByteRange(long first, long last) {
    private static final Pattern SINGLE = Pattern.compile("\\s*bytes\\s*=\\s*(\\d*)\\s*-\\s*(\\d*)\\s*");

    /** The outcome of reading a Range header against a blob of a known size. */
    public sealed interface Request {
        /** No usable Range header (absent, multi-range or malformed): send the whole blob. */
        record Whole() implements Request {
        }

        record Partial(ByteRange range) implements Request {
        }

        /** A well-formed range that does not overlap the blob: 416. */
        record Unsatisfiable() implements Request {
        }
    }

    public long length() {
        return last - first + 1;
    }

    public String contentRange(long size) {
        return "bytes " + first + "-" + last + "/" + size;
    }

    /** Reads {@code header} against a blob of {@code size} bytes, as RFC 9110 section 14 says. */
    public static Request parse(Optional<String> header, long size) {
        if (header.isEmpty()) {
            return new Request.Whole();
        }
        Matcher m = SINGLE.matcher(header.get());
        if (!m.matches() || (m.group(1).isEmpty() && m.group(2).isEmpty())) {
            return new Request.Whole();
        }
        try {
            if (m.group(1).isEmpty()) {
                long suffix = Long.parseLong(m.group(2));
                if (suffix == 0 || size == 0) {
                    return new Request.Unsatisfiable();
                }
                return new Request.Partial(new ByteRange(Math.max(0, size - suffix), size - 1));
            }
            long first = Long.parseLong(m.group(1));
            long last = m.group(2).isEmpty() ? Long.MAX_VALUE : Long.parseLong(m.group(2));
            if (last < first) {
                return new Request.Whole();
            }
            if (first >= size) {
                return new Request.Unsatisfiable();
            }
            return new Request.Partial(new ByteRange(first, Math.min(last, size - 1)));
        } catch (NumberFormatException tooLong) {
            return new Request.Unsatisfiable();
        }
    }
}
