package dev.fleetmirror.core.name;

import java.util.regex.Pattern;

/** A tag: {@code [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}}. */
public record Tag(String value) implements Reference, Comparable<Tag> {

    private static final Pattern GRAMMAR = Pattern.compile("[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}");

    public Tag {
        if (value == null || value.isEmpty()) {
            throw new InvalidNameException("tag is missing");
        }
        if (!GRAMMAR.matcher(value).matches()) {
            throw new InvalidNameException("tag '" + (value.length() > 140 ? value.substring(0, 137) + "..." : value)
                    + "' is invalid: up to 128 characters of letters, digits, '_', '.' and '-', not starting with '.' or '-'");
        }
    }

    public static Tag of(String value) {
        return new Tag(value);
    }

    public static boolean isValid(String value) {
        return value != null && GRAMMAR.matcher(value).matches();
    }

    @Override
    public String toString() {
        return value;
    }

    @Override
    public int compareTo(Tag o) {
        return value.compareTo(o.value);
    }
}
