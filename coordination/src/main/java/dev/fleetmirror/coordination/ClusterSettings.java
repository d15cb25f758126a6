package dev.fleetmirror.coordination;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How this node finds and joins its cluster (the {@code cluster:} config section). Without that
 * section a node runs {@link #standalone()}: a single member that joins nobody.
 *
 * @param name              cluster name; members of other names are not joined
 * @param bindAddress       the address the member binds and advertises (127.0.0.1 by default)
 * @param port              the member port (5701 by default; the next free one is taken when busy)
 * @param members           static members ({@code host[:port]}), joined over TCP-IP; empty for none
 * @param multicast         join by multicast discovery
 * @param kubernetesService a headless service's DNS name whose addresses are the members
 * @param secret            shared secret members and peer endpoints check; empty: none
 * @param minimumSize       below this many members no cluster-wide decision is taken
 * @param leaseTtl          how long a fill lease outlives a silent owner
 * @param peerUrl           the base URL of this node's HTTP server as other members reach it
 */
public record ClusterSettings(String name, String bindAddress, int port, List<String> members, boolean multicast,
                              Optional<String> kubernetesService, Optional<String> secret, int minimumSize,
                              Duration leaseTtl, String peerUrl) {

    public static final String DEFAULT_NAME = "fleetmirror";
    public static final int DEFAULT_PORT = 5701;
    public static final Duration DEFAULT_LEASE_TTL = Duration.ofSeconds(10);

    public ClusterSettings {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(bindAddress, "bindAddress");
        members = List.copyOf(members);
        Objects.requireNonNull(kubernetesService, "kubernetesService");
        Objects.requireNonNull(secret, "secret");
        Objects.requireNonNull(leaseTtl, "leaseTtl");
        Objects.requireNonNull(peerUrl, "peerUrl");
        if (minimumSize < 1) {
            throw new IllegalArgumentException("cluster.minimumSize must be at least 1, is " + minimumSize);
        }
        if (leaseTtl.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("cluster.leaseTtl must be at least 1s, is " + leaseTtl);
        }
    }

    /** The embedded default: a cluster of one that joins nobody. */
    public static ClusterSettings standalone() {
        return new ClusterSettings(DEFAULT_NAME, "127.0.0.1", DEFAULT_PORT, List.of(), false, Optional.empty(),
                Optional.empty(), 1, DEFAULT_LEASE_TTL, "");
    }

    /** True when this node looks for other members at all. */
    public boolean joins() {
        return !members.isEmpty() || multicast || kubernetesService.isPresent();
    }

    public ClusterSettings withPeerUrl(String peerUrl) {
        return new ClusterSettings(name, bindAddress, port, members, multicast, kubernetesService, secret,
                minimumSize, leaseTtl, peerUrl);
    }
}
