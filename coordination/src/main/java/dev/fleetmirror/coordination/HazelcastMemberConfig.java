package dev.fleetmirror.coordination;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.Optional;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * The embedded member's Hazelcast configuration, built in code from {@link ClusterSettings} so that
 * no XML or YAML file, system property or environment variable of Hazelcast's own can change what
 * the node's config file says. Everything Hazelcast would otherwise do on its own is switched off:
 * multicast and cloud auto-detection (both reach into the network uninvited), phone-home, Jet, its
 * JVM shutdown hook (the node closes the member after its HTTP server, in that order).
 *
 * <p>The timings are chosen for a fleet of registry nodes: a node must start in about a second,
 * not Hazelcast's default five or more, and a killed node's fill leases must move within seconds.
 */
public final class HazelcastMemberConfig {
    /** Wildcard bind address: Hazelcast picks the member's address itself (containers, Kubernetes). */
    public static final String ANY_ADDRESS = "0.0.0.0";

    /** Default 5 s; one is enough on a LAN and is paid by every node start. */
    static final int WAIT_SECONDS_BEFORE_JOIN = 1;
    static final int MAX_WAIT_SECONDS_BEFORE_JOIN = 3;
    /** How long the first member of a static list tries the others before it forms the cluster alone. */
    static final int TCP_IP_CONNECTION_TIMEOUT_SECONDS = 1;
    static final int HEARTBEAT_INTERVAL_SECONDS = 1;
    /**
     * Default 60 s. A member that misses heartbeats this long is removed, and its fill leases with
     * it; long enough to survive a GC pause of a small heap, short enough that clients waiting on a
     * dead owner's fill are not left hanging.
     */
    static final int MAX_NO_HEARTBEAT_SECONDS = 5;
    /** Default 300 s / 120 s: members that started apart (a split, a slow DNS answer) find each other sooner. */
    static final int MERGE_FIRST_RUN_DELAY_SECONDS = 20;
    static final int MERGE_NEXT_RUN_DELAY_SECONDS = 20;
    /** Default 600 s; a node being stopped must not hang on an unhealthy cluster. */
    static final int GRACEFUL_SHUTDOWN_MAX_WAIT_SECONDS = 15;

    /**
     * Stretches a guessable secret before it becomes part of the cluster name, which every join
     * request carries in clear text: recovering the secret from a captured name costs this many
     * HMAC rounds per guess. About 30 ms once per node start.
     */
    private static final int SECRET_ITERATIONS = 60_000;

    private HazelcastMemberConfig() {
    }

    public static Config of(ClusterSettings settings) {
        Config config = new Config();
        config.setClusterName(effectiveClusterName(settings.name(), settings.secret()));
        config.setProperty("hazelcast.logging.type", "slf4j");
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.setProperty("hazelcast.shutdownhook.enabled", "false");
        config.setProperty("hazelcast.wait.seconds.before.join", Integer.toString(WAIT_SECONDS_BEFORE_JOIN));
        config.setProperty("hazelcast.max.wait.seconds.before.join", Integer.toString(MAX_WAIT_SECONDS_BEFORE_JOIN));
        config.setProperty("hazelcast.heartbeat.interval.seconds", Integer.toString(HEARTBEAT_INTERVAL_SECONDS));
        config.setProperty("hazelcast.max.no.heartbeat.seconds", Integer.toString(MAX_NO_HEARTBEAT_SECONDS));
        config.setProperty("hazelcast.merge.first.run.delay.seconds", Integer.toString(MERGE_FIRST_RUN_DELAY_SECONDS));
        config.setProperty("hazelcast.merge.next.run.delay.seconds", Integer.toString(MERGE_NEXT_RUN_DELAY_SECONDS));
        config.setProperty("hazelcast.graceful.shutdown.max.wait", Integer.toString(GRACEFUL_SHUTDOWN_MAX_WAIT_SECONDS));
        config.getJetConfig().setEnabled(false);
        network(config.getNetworkConfig(), settings);
        return config;
    }

    private static void network(NetworkConfig network, ClusterSettings settings) {
        network.setPort(settings.port()).setPortAutoIncrement(true);
        if (!settings.bindAddress().equals(ANY_ADDRESS)) {
            // Bind and advertise this one address only; without this Hazelcast picks any interface it likes.
            network.getInterfaces().setEnabled(true).clear().addInterface(settings.bindAddress());
            network.setPublicAddress(settings.bindAddress());
        }
        JoinConfig join = network.getJoin();
        join.getAutoDetectionConfig().setEnabled(false);
        join.getMulticastConfig().setEnabled(settings.multicast());
        join.getTcpIpConfig().setEnabled(!settings.members().isEmpty())
                .setConnectionTimeoutSeconds(TCP_IP_CONNECTION_TIMEOUT_SECONDS)
                .setMembers(settings.members());
        settings.kubernetesService().ifPresent(service -> join.getKubernetesConfig().setEnabled(true)
                .setProperty("service-dns", service));
        join.verify();
    }

    /**
     * Hazelcast Community has no member authentication; the one thing a joining member must match
     * is the cluster name. A member configured with another secret therefore gets another name and
     * is refused at the join, as is one with the right name but no secret.
     */
    static String effectiveClusterName(String name, Optional<String> secret) {
        return secret.map(s -> name + "-" + HexFormat.of().formatHex(stretch(name, s))).orElse(name);
    }

    private static byte[] stretch(String name, String secret) {
        try {
            PBEKeySpec spec = new PBEKeySpec(secret.toCharArray(),
                    ("fleetmirror-cluster:" + name).getBytes(StandardCharsets.UTF_8), SECRET_ITERATIONS, 128);
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is part of every Java 17 runtime", e);
        }
    }
}
