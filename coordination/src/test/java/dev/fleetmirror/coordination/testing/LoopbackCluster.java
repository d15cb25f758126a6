package dev.fleetmirror.coordination.testing;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import dev.fleetmirror.core.testing.LocalProcesses;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Real Hazelcast members in this JVM, bound to 127.0.0.1 and joined over TCP-IP to each other only:
 * a cluster name of their own keeps them away from any other test's members on this machine, and
 * nothing is multicast or phoned home. Tuned to form and fail fast; {@link #close()} terminates
 * every member (no graceful migration: the whole cluster goes).
 */
public final class LoopbackCluster implements AutoCloseable {
    private final List<HazelcastInstance> members;

    private LoopbackCluster(List<HazelcastInstance> members) {
        this.members = members;
    }

    public static LoopbackCluster start(int size) {
        return start(size, config -> { });
    }

    /** Starts {@code size} members; {@code adjust} may add what the code under test needs to their config. */
    public static LoopbackCluster start(int size, Consumer<Config> adjust) {
        String name = "fleetmirror-test-" + UUID.randomUUID();
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            ports.add(LocalProcesses.freeMemberPort());
        }
        List<String> addresses = ports.stream().map(port -> "127.0.0.1:" + port).toList();
        List<HazelcastInstance> members = new ArrayList<>();
        LoopbackCluster cluster = new LoopbackCluster(members);
        try {
            for (int port : ports) {
                Config config = config(name, port, addresses);
                adjust.accept(config);
                members.add(Hazelcast.newHazelcastInstance(config));
            }
            cluster.awaitEveryMemberSeesAll();
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    /** A member returns once it joined; the others learn of it a moment later. */
    private void awaitEveryMemberSeesAll() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (HazelcastInstance member : members) {
            while (member.getCluster().getMembers().size() != members.size()) {
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("member " + member.getName() + " sees "
                            + member.getCluster().getMembers().size() + " members, not " + members.size());
                }
                LocalProcesses.pause(Duration.ofMillis(20));
            }
        }
    }

    public static Config config(String clusterName, int port, List<String> addresses) {
        Config config = new Config();
        config.setClusterName(clusterName);
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.setProperty("hazelcast.logging.type", "slf4j");
        config.setProperty("hazelcast.shutdownhook.enabled", "false");
        config.setProperty("hazelcast.wait.seconds.before.join", "0");
        config.setProperty("hazelcast.heartbeat.interval.seconds", "1");
        config.setProperty("hazelcast.max.no.heartbeat.seconds", "5");
        config.setProperty("hazelcast.socket.bind.any", "false");
        config.setProperty("hazelcast.partition.count", "31");
        NetworkConfig network = config.getNetworkConfig();
        network.setPort(port).setPortAutoIncrement(false);
        network.getInterfaces().setEnabled(true).addInterface("127.0.0.1");
        JoinConfig join = network.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true).setMembers(addresses);
        return config;
    }

    public HazelcastInstance member(int index) {
        return members.get(index);
    }

    public List<HazelcastInstance> members() {
        return List.copyOf(members);
    }

    public int size() {
        return members.size();
    }

    @Override
    public void close() {
        List<CompletableFuture<Void>> stopping = members.stream()
                .map(member -> CompletableFuture.runAsync(() -> member.getLifecycleService().terminate()))
                .toList();
        try {
            CompletableFuture.allOf(stopping.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("members did not stop", e);
        }
    }
}
