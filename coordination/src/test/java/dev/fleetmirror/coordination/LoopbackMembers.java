package dev.fleetmirror.coordination;

import dev.fleetmirror.core.testing.LocalProcesses;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.IntStream;

/**
 * Real Hazelcast members in this JVM, on 127.0.0.1 only, joined over TCP-IP by a static list of
 * free ports. Each instance has its own cluster name, so test classes running at the same time on
 * one machine (other modules, other checkouts) never join each other. Closing terminates every
 * member still running.
 */
public final class LoopbackMembers implements AutoCloseable {
    private final String name = "test-" + UUID.randomUUID().toString().substring(0, 8);
    private final List<Integer> ports;
    private final List<HazelcastCoordination> started = new ArrayList<>();

    public LoopbackMembers(int slots) {
        this.ports = IntStream.range(0, slots).mapToObj(i -> LocalProcesses.freeMemberPort()).toList();
    }

    /** The settings of slot {@code index}: its own port, every slot as a static member. */
    public ClusterSettings settings(int index, Optional<String> secret, int minimumSize, Duration leaseTtl) {
        List<String> members = ports.stream().map(port -> "127.0.0.1:" + port).toList();
        return new ClusterSettings(name, "127.0.0.1", ports.get(index), members, false, Optional.empty(), secret,
                minimumSize, leaseTtl, "");
    }

    public HazelcastCoordination start(ClusterSettings settings) {
        HazelcastCoordination member = HazelcastCoordination.start(settings);
        synchronized (started) {
            started.add(member);
        }
        return member;
    }

    /** Starts slot {@code index} without secret, with the given lease TTL, and advertises {@link #peerUrl(int)}. */
    public HazelcastCoordination start(int index, Duration leaseTtl) {
        HazelcastCoordination member = start(settings(index, Optional.empty(), 1, leaseTtl));
        member.advertise(peerUrl(index));
        return member;
    }

    public static String peerUrl(int index) {
        return "http://127.0.0.1:" + (9000 + index);
    }

    /** Kills {@code member} without a goodbye: no lease released, no partition handed over. */
    public static void kill(HazelcastCoordination member) {
        member.hazelcast().getLifecycleService().terminate();
    }

    @Override
    public void close() {
        synchronized (started) {
            // All at once: one by one, the survivors would start migrating partitions to each other in vain.
            started.parallelStream().forEach(LoopbackMembers::kill);
            started.clear();
        }
    }
}
