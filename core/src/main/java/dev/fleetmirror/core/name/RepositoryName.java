package dev.fleetmirror.core.name;

import java.util.List;
import java.util.regex.Pattern;

/**
 * A repository name as the OCI distribution spec defines it: lowercase alphanumeric path
 * components separated by {@code /}, with single {@code .}, {@code _}, {@code __} or runs of
 * {@code -} between alphanumerics, at most 255 characters. Such a name can never contain
 * {@code ..}, an empty component or a reserved {@code _uploads}-style component, so it is safe
 * to splice into a storage path.
 */
public record RepositoryName(String value) implements Comparable<RepositoryName> {

    public static final int MAX_LENGTH = 255;

    private static final String COMPONENT = "[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*";
    private static final Pattern GRAMMAR = Pattern.compile(COMPONENT + "(?:/" + COMPONENT + ")*");

    public RepositoryName {
        if (value == null || value.isEmpty()) {
            throw new InvalidNameException("repository name is missing");
        }
        if (value.length() > MAX_LENGTH) {
            throw new InvalidNameException("repository name is " + value.length()
                    + " characters long; the limit is " + MAX_LENGTH);
        }
        if (!GRAMMAR.matcher(value).matches()) {
            throw new InvalidNameException("repository name '" + value + "' is invalid: use lowercase letters,"
                    + " digits and single separators (. _ __ -) in components separated by /");
        }
    }

    public static RepositoryName of(String value) {
        return new RepositoryName(value);
    }

    public static boolean isValid(String value) {
        return value != null && value.length() <= MAX_LENGTH && GRAMMAR.matcher(value).matches();
    }

    public List<String> components() {
        return List.of(value.split("/"));
    }

    @Override
    public String toString() {
        return value;
    }

    @Override
    public int compareTo(RepositoryName o) {
        return value.compareTo(o.value);
    }
}
