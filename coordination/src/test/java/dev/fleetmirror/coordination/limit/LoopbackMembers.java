package dev.fleetmirror.coordination.limit;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import dev.fleetmirror.coordination.testing.LoopbackCluster;
import dev.fleetmirror.core.testing.LocalProcesses;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * {@link LoopbackCluster}'s members started one at a time, so a test can grow the cluster while it
 * runs. Members of one instance of this class form one cluster, named uniquely.
 */
final class LoopbackMembers implements AutoCloseable {
    private static final int MAX_MEMBERS = 5;

    private final String clusterName = "limits-test-" + UUID.randomUUID();
    private final List<Integer> ports = new ArrayList<>();
    private final List<HazelcastInstance> members = new ArrayList<>();

    LoopbackMembers() {
        for (int i = 0; i < MAX_MEMBERS; i++) {
            ports.add(LocalProcesses.freeMemberPort());
        }
    }

    /** Starts and joins the next member (blocks until it is in the cluster). */
    HazelcastInstance start() {
        int port = ports.get(members.size());
        Config config = LoopbackCluster.config(clusterName, port, ports.stream().map(p -> "127.0.0.1:" + p).toList());
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
