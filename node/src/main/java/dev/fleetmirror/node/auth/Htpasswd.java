package dev.fleetmirror.node.auth;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.crypto.bcrypt.BCrypt;

/**
 * The users of an htpasswd file, as Distribution reads it: {@code user:hash} lines, bcrypt hashes
 * only ({@code $2y$}, as {@code htpasswd -B} writes, or {@code $2a$}/{@code $2b$}). Other entries
 * (MD5, SHA-1, crypt, plain) are skipped with a warning naming the file, line and user, never
 * the hash.
 */
public final class Htpasswd {
    private static final Logger LOG = LoggerFactory.getLogger(Htpasswd.class);
    private final Map<String, String> hashes;

    private Htpasswd(Map<String, String> hashes) {
        this.hashes = Map.copyOf(hashes);
    }

    /** @param source what to name in warnings (the file's path) */
    public static Htpasswd parse(String text, String source) {
        Map<String, String> hashes = new HashMap<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                LOG.warn("{} line {}: not a 'user:hash' entry; ignored", source, i + 1);
                continue;
            }
            String user = line.substring(0, colon);
            String hash = line.substring(colon + 1);
            if (!isBcrypt(hash)) {
                LOG.warn("{} line {}: the entry of user '{}' is not a bcrypt hash; ignored (write it with htpasswd -B)",
                        source, i + 1, user);
                continue;
            }
            if (hashes.putIfAbsent(user, hash) != null) {
                LOG.warn("{} line {}: user '{}' appears again; the first entry counts", source, i + 1, user);
            }
        }
        return new Htpasswd(hashes);
    }

    private static boolean isBcrypt(String hash) {
        return hash.length() == 60 && (hash.startsWith("$2y$") || hash.startsWith("$2a$") || hash.startsWith("$2b$"));
    }

    public int size() {
        return hashes.size();
    }

    public boolean hasUser(String user) {
        return hashes.containsKey(user);
    }

    /** Whether the password matches the user's hash; slow on purpose (bcrypt): call it on a worker. */
    public boolean matches(BasicCredentials credentials) {
        Optional<String> hash = Optional.ofNullable(hashes.get(credentials.user()));
        if (hash.isEmpty()) {
            return false;
        }
        try {
            return BCrypt.checkpw(credentials.password(), hash.get());
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
