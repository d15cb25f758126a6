package dev.fleetmirror.node.cluster;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * Who may use the endpoints meant for cluster members (peer streams, cluster admin) until client
 * authentication exists: with a cluster secret, whoever sends it; without one, loopback only.
 */
public final class PeerAccess {
    private PeerAccess() {
    }

    public static boolean permits(HttpServerRequest request, Optional<String> secret) {
        if (secret.isPresent()) {
            String sent = request.getHeader(PeerProtocol.SECRET_HEADER);
            return sent != null && MessageDigest.isEqual(sent.getBytes(StandardCharsets.UTF_8),
                    secret.get().getBytes(StandardCharsets.UTF_8));
        }
        SocketAddress remote = request.remoteAddress();
        if (remote == null || remote.hostAddress() == null) {
            return false;
        }
        try {
            return InetAddress.getByName(remote.hostAddress()).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
