package dev.fleetmirror.node.auth;

import java.util.regex.Pattern;

/**
 * A repository pattern of an access rule: {@code *} matches any characters within one path
 * segment, {@code **} any characters across segments, {@code ?} one character other than '/'.
 * {@code team-a/*} matches {@code team-a/app} but not {@code team-a/x/app}; {@code docker.io/**}
 * matches everything under docker.io; {@code **} matches every repository.
 */
public record RepositoryGlob(String pattern, Pattern regex) {

    public static RepositoryGlob of(String pattern) {
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '/' && pattern.startsWith("**", i + 1) && i + 3 == pattern.length()) {
                // "a/**" also matches "a" itself, as a directory glob would.
                regex.append("(/.*)?");
                break;
            }
            if (c == '*' && i + 1 < pattern.length() && pattern.charAt(i + 1) == '*') {
                regex.append(".*");
                i++;
            } else if (c == '*') {
                regex.append("[^/]*");
            } else if (c == '?') {
                regex.append("[^/]");
            } else if (Character.isLetterOrDigit(c)) {
                regex.append(c);
            } else {
                regex.append('\\').append(c);
            }
        }
        return new RepositoryGlob(pattern, Pattern.compile(regex.toString()));
    }

    public boolean matches(String repository) {
        return regex.matcher(repository).matches();
    }

    @Override
    public String toString() {
        return pattern;
    }
}
