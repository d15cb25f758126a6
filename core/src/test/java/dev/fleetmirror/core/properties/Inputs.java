package dev.fleetmirror.core.properties;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/**
 * Hostile strings for the parsers: random text over an alphabet rich in the characters that
 * matter to names, digests and paths (separators, dots, percent escapes, backslashes, control
 * and non-ASCII characters), mixed with fragments that look almost valid.
 */
final class Inputs {
    static final String HEX = "0123456789abcdef";

    private Inputs() {
    }

    /** Characters a path-traversal or injection attempt is made of, plus the valid ones. */
    static Arbitrary<Character> nasty() {
        return Arbitraries.of('a', 'b', 'z', '0', '9', 'A', 'Z', '.', '/', '\\', '_', '-', '%', ':', '@', '+', '=', '?',
                '#', ' ', '\t', '\n', '\r', '\0', '\u0085', '\u2028', '\u00e9', '\uff0e', '\uff0f', '~', '*', '2', 'e', 'f');
    }

    static Arbitrary<String> nastyText(int maxLength) {
        return nasty().list().ofMaxSize(maxLength).map(chars -> {
            StringBuilder s = new StringBuilder();
            chars.forEach(s::append);
            return s.toString();
        });
    }

    /** Fragments glued together: traversal pieces, encodings, valid-looking parts. */
    static Arbitrary<String> fragments() {
        Arbitrary<String> fragment = Arbitraries.oneOf(
                Arbitraries.of("..", ".", "/", "//", "%2e", "%2E", "%2f", "%2F", "%5c", "%00", "\\", "..\\", "/etc/passwd",
                        "_uploads", "_layers", "_manifests", "sha256", "sha512", ":", "a", "b0", "library", "redis", "-", "__",
                        "_", "x.y", "A", "\u0000", "\u002e\u002e", "\uff0e\uff0e", "%252e%252e", "~", "*"),
                Arbitraries.strings().withChars(HEX).ofMinLength(1).ofMaxLength(130),
                nastyText(6));
        return fragment.list().ofMinSize(1).ofMaxSize(12).map(parts -> String.join("", parts));
    }

    /** Any text: unicode noise, the nasty alphabet, fragments. */
    static Arbitrary<String> anyText() {
        return Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(300), nastyText(80), fragments());
    }
}
