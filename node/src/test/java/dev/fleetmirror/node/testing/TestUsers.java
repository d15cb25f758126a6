package dev.fleetmirror.node.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.springframework.security.crypto.bcrypt.BCrypt;

/**
 * What tests of nodes with {@code auth:} share: an htpasswd file of users (bcrypt at cost 4, so
 * checks stay fast), their Basic headers, and the start of a node's YAML (loopback on a free port,
 * filesystem storage) that each test continues with its own sections.
 */
public final class TestUsers {
    private TestUsers() {
    }

    /** Writes {@code passwords} (user to password) to {@code file} in htpasswd's bcrypt form. */
    public static Path htpasswd(Path file, Map<String, String> passwords) {
        StringBuilder lines = new StringBuilder();
        passwords.forEach((user, password) -> lines.append(user).append(':')
                .append(BCrypt.hashpw(password, BCrypt.gensalt(4))).append('\n'));
        try {
            return Files.writeString(file, lines);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** The first lines of a test node's YAML: loopback on a free port, storage under {@code root}. */
    public static String loopbackNodeYaml(Path root) {
        return """
                version: 0.1
                http:
                  addr: 127.0.0.1:0
                storage:
                  filesystem:
                    rootdirectory: %s
                """.formatted(root);
    }
}
