package dev.fleetmirror.node.auth;

import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Who sent a request, as authentication established it: a user (empty for an anonymous caller),
 * the groups it belongs to (from {@code auth.groups} and a token's {@code groups} claim), the
 * Basic credentials when the client sent them (for checks that pass them on), and, for a bearer
 * token, the access it grants. Every exchange the dispatcher routes carries one; with
 * no {@code auth:} section every caller is {@link #ANONYMOUS} and everything is allowed.
 */
public record Caller(Optional<String> user, Set<String> groups, Optional<BasicCredentials> basic,
                     Optional<TokenAccess> token) {

    public static final Caller ANONYMOUS = new Caller(Optional.empty(), Set.of(), Optional.empty(), Optional.empty());

    public Caller {
        Objects.requireNonNull(user, "user");
        groups = Set.copyOf(groups);
        Objects.requireNonNull(basic, "basic");
        Objects.requireNonNull(token, "token");
    }

    /** A user who proved its password. */
    public static Caller authenticated(BasicCredentials credentials, Set<String> groups) {
        return new Caller(Optional.of(credentials.user()), groups, Optional.of(credentials), Optional.empty());
    }

    public boolean anonymous() {
        return user.isEmpty();
    }

    @Override
    public String toString() {
        return anonymous() ? "anonymous" : user.get();
    }
}
