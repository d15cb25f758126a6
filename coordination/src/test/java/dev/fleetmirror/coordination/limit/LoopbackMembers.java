package dev.fleetmirror.coordination.limit;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import dev.fleetmirror.core.testing.LocalProcesses;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Hazelcast members in this JVM that bind and join on 127.0.0.1 only (TCP-IP, no multicast, no
 * phone-home), with short heartbeats so a killed member is noticed within seconds. Members of one
 * instance of this class form one cluster, named uniquely so that parallel builds never meet.
 */
final class LoopbackMembers implements AutoCloseable {
    private static final int MAX_MEMBERS = 5;

    private final String clusterName = "limits-test-" + UUID.randomUUID();
    private final List<Integer> ports = new ArrayList<>();
    private final List<HazelcastInstance> members = new ArrayList<>();

    LoopbackMembers() {
        for (int i = 0; i < MAX_MEMBERS; i++) {
            ports.add(LocalProcesses.freeLoopbackPort());
        }
    }

    /** Starts and joins the next member (blocks until it is in the cluster). */
    HazelcastInstance start() {
        int port = ports.get(members.size());
        Config config = new Config();
        config.setClusterName(clusterName);
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.setProperty("hazelcast.shutdownhook.enabled", "false");
        config.setProperty("hazelcast.logging.type", "slf4j");
        config.setProperty("hazelcast.wait.seconds.before.join", "0");
        config.setProperty("hazelcast.heartbeat.interval.seconds", "1");
        config.setProperty("hazelcast.max.no.heartbeat.seconds", "4");
        config.setProperty("hazelcast.socket.bind.any", "false");
        config.setProperty("hazelcast.partition.count", "17");
        NetworkConfig network = config.getNetworkConfig();
        network.setPort(port).setPortAutoIncrement(false);
        network.getInterfaces().setEnabled(true).addInterface("127.0.0.1");
        JoinConfig join = network.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true);
        ports.forEach(p -> join.getTcpIpConfig().addMember("127.0.0.1:" + p));
        HazelcastInstance member = Hazelcast.newHazelcastInstance(config);
        members.add(member);
        return member;
    }

    /** Kills a member as a crash would: no goodbye, no migration of its data by itself. */
    void kill(HazelcastInstance member) {
        member.getLifecycleService().terminate();
    }

    @Override
    public void close() {
        for (HazelcastInstance member : members) {
            if (member.getLifecycleService().isRunning()) {
                member.getLifecycleService().terminate();
            }
        }
    }
}
