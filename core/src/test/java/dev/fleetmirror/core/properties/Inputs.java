package dev.fleetmirror.core.properties;

import dev.fleetmirror.core.testing.Draw;

/**
 * Hostile strings for the parsers: random text over an alphabet rich in the characters that
 * matter to names, digests and paths (separators, dots, percent escapes, backslashes, control
 * and non-ASCII characters), mixed with fragments that look almost valid.
 */
final class Inputs {
    static final String HEX = "0123456789abcdef";

    /** Characters a path-traversal or injection attempt is made of, plus the valid ones. */
    static final String NASTY = "abz09AZ./\\_-%:@+=?# \t\n\r\0\u0085\u2028\u00e9\uff0e\uff0f~*2ef";

    private static final String[] FRAGMENTS = {"..", ".", "/", "//", "%2e", "%2E", "%2f", "%2F", "%5c", "%00", "\\", "..\\",
        "/etc/passwd", "_uploads", "_layers", "_manifests", "sha256", "sha512", ":", "a", "b0", "library", "redis", "-", "__",
        "_", "x.y", "A", "\u0000", "\u002e\u002e", "\uff0e\uff0e", "%252e%252e", "~", "*"};

    private Inputs() {
    }

    static String nastyText(Draw draw, int maxLength) {
        return draw.text(NASTY, 0, maxLength);
    }

    /** Fragments glued together: traversal pieces, encodings, valid-looking parts. */
    static String fragments(Draw draw) {
        return draw.joined(1, 12, () -> draw.oneOf(
                () -> draw.pick(FRAGMENTS),
                () -> draw.text(HEX, 1, 130),
                () -> nastyText(draw, 6)));
    }

    /** Any text: unicode noise, the nasty alphabet, fragments. */
    static String anyText(Draw draw) {
        return draw.oneOf(() -> draw.text(300), () -> nastyText(draw, 80), () -> fragments(draw));
    }
}
