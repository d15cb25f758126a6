package dev.fleetmirror.node.upstream;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One {@code WWW-Authenticate} challenge: {@code Bearer realm="https://auth.docker.io/token",
 * service="registry.docker.io",scope="repository:library/redis:pull"} or {@code Basic realm="x"}.
 * Parameter values may be quoted (with backslash escapes) or bare tokens, as RFC 9110 allows.
 */
public record AuthChallenge(String scheme, Map<String, String> parameters) {

    public AuthChallenge {
        scheme = scheme.toLowerCase(Locale.ROOT);
        parameters = Map.copyOf(parameters);
    }

    public boolean isBearer() {
        return scheme.equals("bearer");
    }

    public boolean isBasic() {
        return scheme.equals("basic");
    }

    public Optional<String> parameter(String name) {
        return Optional.ofNullable(parameters.get(name.toLowerCase(Locale.ROOT)));
    }

    /** The first challenge of a header value, or empty when it is not one. */
    public static Optional<AuthChallenge> parse(String header) {
        if (header == null) {
            return Optional.empty();
        }
        String value = header.trim();
        int space = value.indexOf(' ');
        String scheme = space < 0 ? value : value.substring(0, space);
        if (scheme.isEmpty() || !scheme.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '-' || c == '_')) {
            return Optional.empty();
        }
        Map<String, String> parameters = new LinkedHashMap<>();
        int i = space < 0 ? value.length() : space + 1;
        while (i < value.length()) {
            while (i < value.length() && (value.charAt(i) == ' ' || value.charAt(i) == ',')) {
                i++;
            }
            int eq = value.indexOf('=', i);
            if (eq < 0) {
                break;
            }
            String name = value.substring(i, eq).trim().toLowerCase(Locale.ROOT);
            i = eq + 1;
            StringBuilder text = new StringBuilder();
            if (i < value.length() && value.charAt(i) == '"') {
                i++;
                while (i < value.length() && value.charAt(i) != '"') {
                    char c = value.charAt(i++);
                    if (c == '\\' && i < value.length()) {
                        c = value.charAt(i++);
                    }
                    text.append(c);
                }
                i++;
            } else {
                while (i < value.length() && value.charAt(i) != ',') {
                    text.append(value.charAt(i++));
                }
            }
            parameters.put(name, text.toString().trim());
        }
        return Optional.of(new AuthChallenge(scheme, parameters));
    }
}
