package dev.fleetmirror.node.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code auth:} and {@code access:} sections: how clients authenticate and what each may do.
 * {@link #none()} (no {@code auth:} section) keeps every repository open to everyone.
 *
 * @param htpasswd     {@code auth.htpasswd}: users and bcrypt hashes in a file, Basic authentication
 * @param token        {@code auth.token}: bearer tokens, as Distribution verifies them
 * @param tokenService {@code auth.tokenservice}: this node issues tokens at {@code /token}
 * @param groups       {@code auth.groups}: group name to its users
 * @param admins       {@code auth.admins}: users or groups allowed on {@code /admin/v1/*}
 * @param rules        {@code access:}, in order; the first that matches repository and caller decides
 */
public record AuthConfig(Optional<Htpasswd> htpasswd, Optional<Token> token, Optional<TokenService> tokenService,
                         Map<String, Set<String>> groups, Set<String> admins, List<Rule> rules) {

    public AuthConfig {
        Objects.requireNonNull(htpasswd, "htpasswd");
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(tokenService, "tokenService");
        groups = Map.copyOf(groups);
        admins = Set.copyOf(admins);
        rules = List.copyOf(rules);
    }

    public static AuthConfig none() {
        return new AuthConfig(Optional.empty(), Optional.empty(), Optional.empty(), Map.of(), Set.of(), List.of());
    }

    /** True when clients must authenticate (any {@code auth:} method configured). */
    public boolean enabled() {
        return htpasswd.isPresent() || token.isPresent();
    }

    public record Htpasswd(String realm, Path path) {
    }

    /**
     * @param realm          where clients get tokens; empty: this node's own {@code /token} (with a token service)
     * @param rootCertBundle PEM certificates whose keys sign valid tokens
     * @param jwks           a JSON Web Key Set file whose keys sign valid tokens
     */
    public record Token(Optional<String> realm, String service, String issuer, Optional<Path> rootCertBundle,
                        Optional<Path> jwks) {
    }

    /**
     * @param signingKey PEM PKCS#8 private key (EC P-256/384/521 or RSA); empty: a key generated at start,
     *                   so tokens verify only on this node
     * @param expiration how long an issued token is valid
     */
    public record TokenService(Optional<Path> signingKey, Duration expiration) {
        public static final Duration DEFAULT_EXPIRATION = Duration.ofMinutes(5);
    }

    /**
     * One {@code access:} entry.
     *
     * @param repository a glob: {@code *} matches within one path segment, {@code **} across segments
     * @param users      user names; {@code "*"} is any authenticated user
     * @param groups     group names
     * @param anonymous  whether callers without credentials match
     * @param actions    what a matching caller may do
     */
    public record Rule(String repository, Set<String> users, Set<String> groups, boolean anonymous, Set<String> actions) {
        public Rule {
            users = Set.copyOf(users);
            groups = Set.copyOf(groups);
            actions = Set.copyOf(actions);
        }
    }
}
