package dev.fleetmirror.node.admin;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Who may call the endpoints members use among themselves (the peer endpoint) and the admin
 * endpoints ({@link AdminRouter} asks before any of them runs; with {@code auth:} on, an admin's
 * credentials are needed as well): whoever presents the cluster's shared secret, or, on a node
 * without a secret, only a caller on this machine. Note that behind a reverse proxy on the same machine every request comes
 * from loopback: such a setup needs {@code cluster.secret}.
 */
public final class PeerAccess {
    public static final String SECRET_HEADER = "X-Fleetmirror-Cluster-Secret";
    private static final Pattern IP_LITERAL = Pattern.compile("[0-9A-Fa-f:.]+(%[A-Za-z0-9_.-]+)?");

    private PeerAccess() {
    }

    public static boolean permits(HttpServerRequest request, Optional<String> secret) {
        SocketAddress remote = request.remoteAddress();
        return permits(remote == null ? null : remote.hostAddress(), request.getHeader(SECRET_HEADER), secret);
    }

    /**
     * @param remoteHost the caller's IP address as text, or null when unknown
     * @param presented  the secret header's value, or null
     */
    static boolean permits(String remoteHost, String presented, Optional<String> secret) {
        if (secret.isPresent()) {
            // Digests first: equal lengths, so the comparison takes the same time whatever was presented.
            return presented != null && MessageDigest.isEqual(sha256(presented), sha256(secret.get()));
        }
        return isLoopback(remoteHost);
    }

    /** What a refused caller is told it needs. */
    public static String requirement(Optional<String> secret) {
        return secret.isPresent()
                ? "send the cluster secret (cluster.secret) in the " + SECRET_HEADER + " header"
                : "without cluster.secret this endpoint answers only requests from this machine (loopback);"
                        + " configure cluster.secret and send it in the " + SECRET_HEADER + " header";
    }

    private static boolean isLoopback(String host) {
        // Only literals: a name here would be resolved, and a resolver is no authority on who called.
        if (host == null || !IP_LITERAL.matcher(host).matches()) {
            return false;
        }
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
