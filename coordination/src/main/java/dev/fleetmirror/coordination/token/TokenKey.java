package dev.fleetmirror.coordination.token;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Which token a member may reuse: one issued for the same upstream, the same scope, and the same
 * credentials. Tokens obtained with one account must not serve a member configured with another,
 * so the credentials are part of the key, as {@link #credentials(URI, Optional, Optional)} hashes them.
 *
 * @param upstream    the upstream registry's base URL
 * @param scope       the token scope, e.g. {@code repository:library/redis:pull}
 * @param credentials {@link #ANONYMOUS} or the hash of the upstream's user and password
 */
public record TokenKey(URI upstream, String scope, String credentials) {
    public static final String ANONYMOUS = "anonymous";
    /** Slow enough that the hash, readable by anyone who can read the cluster's maps, is no shortcut to the password. */
    private static final int ITERATIONS = 50_000;

    public TokenKey {
        Objects.requireNonNull(upstream, "upstream");
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(credentials, "credentials");
    }

    /**
     * Names an upstream's credentials without revealing them: PBKDF2 of user and password, salted
     * with the upstream's URL so one password used with two upstreams gives two names. Computed
     * once per upstream (it takes some milliseconds, on purpose).
     */
    public static String credentials(URI upstream, Optional<String> user, Optional<String> password) {
        if (user.isEmpty()) {
            return ANONYMOUS;
        }
        char[] secret = (user.get() + "\n" + password.orElse("")).toCharArray();
        byte[] salt = ("fleetmirror upstream credentials\n" + upstream).getBytes(StandardCharsets.UTF_8);
        try {
            byte[] hash = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
                    .generateSecret(new PBEKeySpec(secret, salt, ITERATIONS, 256)).getEncoded();
            return "pbkdf2:" + HexFormat.of().formatHex(hash);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is part of every Java 17 runtime", e);
        }
    }

    /** The key's form in a shared map. */
    String entryKey() {
        return upstream + "\n" + scope + "\n" + credentials;
    }
}
