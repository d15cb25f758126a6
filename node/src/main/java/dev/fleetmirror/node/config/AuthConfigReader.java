package dev.fleetmirror.node.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Reads {@code auth:} and {@code access:} into {@link AuthConfig}; mistakes name their key. */
final class AuthConfigReader {
    private static final Set<String> AUTH_FIELDS = Set.of("htpasswd", "token", "tokenservice", "groups", "admins");
    private static final Set<String> RULE_FIELDS = Set.of("repository", "users", "groups", "anonymous", "actions");
    private static final Set<String> ACTIONS = Set.of("pull", "push", "delete");

    private AuthConfigReader() {
    }

    static AuthConfig read(ConfigTree tree) {
        if (tree.has("auth")) {
            // An auth method this node does not know must not leave the registry open with a mere warning.
            for (String field : tree.fieldNames("auth")) {
                if (!AUTH_FIELDS.contains(field)) {
                    throw new ConfigException("auth." + field, "is not supported; use one of " + AUTH_FIELDS);
                }
            }
        }
        Optional<AuthConfig.Htpasswd> htpasswd = Optional.empty();
        if (tree.has("auth.htpasswd")) {
            htpasswd = Optional.of(new AuthConfig.Htpasswd(
                    tree.text("auth.htpasswd.realm").filter(s -> !s.isBlank()).orElse("fleet-mirror"),
                    path(tree, "auth.htpasswd.path").orElseThrow(() -> new ConfigException("auth.htpasswd.path",
                            "is required (an htpasswd file with bcrypt entries, as `htpasswd -B` writes)"))));
        }
        Optional<AuthConfig.TokenService> service = Optional.empty();
        if (tree.has("auth.tokenservice")) {
            Duration expiration = tree.text("auth.tokenservice.expiration")
                    .map(v -> ConfigLoader.duration("auth.tokenservice.expiration", v))
                    .orElse(AuthConfig.TokenService.DEFAULT_EXPIRATION);
            if (expiration.isZero() || expiration.isNegative()) {
                throw new ConfigException("auth.tokenservice.expiration", "must be positive");
            }
            service = Optional.of(new AuthConfig.TokenService(path(tree, "auth.tokenservice.signingkey"), expiration));
        }
        Optional<AuthConfig.Token> token = Optional.empty();
        if (tree.has("auth.token")) {
            Optional<Path> bundle = path(tree, "auth.token.rootcertbundle");
            Optional<Path> jwks = path(tree, "auth.token.jwks");
            if (bundle.isEmpty() && jwks.isEmpty() && service.isEmpty()) {
                throw new ConfigException("auth.token", "needs rootcertbundle or jwks (the issuer's keys),"
                        + " or an auth.tokenservice section (this node issues the tokens)");
            }
            Optional<String> realm = tree.text("auth.token.realm").filter(s -> !s.isBlank());
            if (realm.isEmpty() && service.isEmpty()) {
                throw new ConfigException("auth.token.realm", "is required unless this node issues tokens (auth.tokenservice)");
            }
            token = Optional.of(new AuthConfig.Token(realm,
                    required(tree, "auth.token.service"), required(tree, "auth.token.issuer"), bundle, jwks));
        } else if (service.isPresent()) {
            throw new ConfigException("auth.tokenservice", "needs an auth.token section (service and issuer of the tokens)");
        }
        if (service.isPresent() && htpasswd.isEmpty()) {
            throw new ConfigException("auth.tokenservice", "needs auth.htpasswd: its users are the ones tokens are issued to");
        }
        Map<String, Set<String>> groups = new LinkedHashMap<>();
        if (tree.has("auth.groups")) {
            for (String group : tree.fieldNames("auth.groups")) {
                groups.put(group, new LinkedHashSet<>(tree.strings("auth.groups." + group)));
            }
        }
        Set<String> admins = new LinkedHashSet<>(tree.strings("auth.admins"));
        List<AuthConfig.Rule> rules = new ArrayList<>();
        int count = tree.listSize("access");
        for (int i = 0; i < count; i++) {
            rules.add(rule(tree, "access." + i));
        }
        return new AuthConfig(htpasswd, token, service, groups, admins, rules);
    }

    private static AuthConfig.Rule rule(ConfigTree tree, String key) {
        for (String field : tree.fieldNames(key)) {
            if (!RULE_FIELDS.contains(field)) {
                throw new ConfigException(key + "." + field, "is not an access rule setting; use one of " + RULE_FIELDS);
            }
        }
        String repository = required(tree, key + ".repository");
        Set<String> actions = new LinkedHashSet<>();
        for (String action : tree.strings(key + ".actions")) {
            if (!ACTIONS.contains(action)) {
                throw new ConfigException(key + ".actions", "'" + action + "' is not one of " + ACTIONS);
            }
            actions.add(action);
        }
        return new AuthConfig.Rule(repository, new LinkedHashSet<>(tree.strings(key + ".users")),
                new LinkedHashSet<>(tree.strings(key + ".groups")), tree.bool(key + ".anonymous", false), actions);
    }

    private static String required(ConfigTree tree, String key) {
        return tree.text(key).map(String::trim).filter(s -> !s.isEmpty())
                .orElseThrow(() -> new ConfigException(key, "is required"));
    }

    private static Optional<Path> path(ConfigTree tree, String key) {
        return tree.text(key).map(String::trim).filter(s -> !s.isEmpty()).map(Path::of);
    }
}
