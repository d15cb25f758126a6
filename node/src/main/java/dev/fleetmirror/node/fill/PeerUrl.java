package dev.fleetmirror.node.fill;

import dev.fleetmirror.coordination.ClusterSettings;
import dev.fleetmirror.coordination.HazelcastMemberConfig;
import dev.fleetmirror.node.config.NodeConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Set;

/**
 * The base URL other members use to reach this node's HTTP server: {@code cluster.advertise} when
 * set, else built from the address the server listens on. A wildcard listen address says nothing
 * about how others reach the node, so then the cluster's bind address, or this host's address, is
 * used instead.
 */
public final class PeerUrl {
    private static final Set<String> WILDCARDS = Set.of("0.0.0.0", "::", "0:0:0:0:0:0:0:0");

    private PeerUrl() {
    }

    /** May look up this host's address: call it on a worker thread. */
    public static String of(NodeConfig config, int port) {
        String advertised = config.cluster().map(ClusterSettings::peerUrl).orElse("");
        if (!advertised.isEmpty()) {
            return advertised;
        }
        String host = config.http().host();
        if (WILDCARDS.contains(host)) {
            host = config.cluster().map(ClusterSettings::bindAddress)
                    .filter(address -> !address.equals(HazelcastMemberConfig.ANY_ADDRESS))
                    .orElseGet(PeerUrl::localHost);
        }
        return (config.http().tls().isPresent() ? "https://" : "http://") + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    private static String localHost() {
        try {
            return InetAddress.getLocalHost().getHostAddress();
        } catch (UnknownHostException e) {
            return "127.0.0.1";
        }
    }
}
