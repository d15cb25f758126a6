package dev.fleetmirror.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fleetmirror.coordination.ClusterSettings;
import dev.fleetmirror.core.testing.LocalProcesses;
import dev.fleetmirror.node.FleetMirrorNode;
import dev.fleetmirror.node.config.NodeConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * Nodes in this JVM, each embedding its own Hazelcast member, joined into one cluster over
 * loopback TCP the way a {@code cluster:} section with a static member list joins them.
 */
final class LoopbackNodes {
    private LoopbackNodes() {
    }

    /**
     * Starts {@code members} nodes at once, node {@code i} with {@code configFor.apply(i)} plus a
     * {@code cluster:} section naming all of them, and returns once every node sees all members.
     * Nodes already started are added to {@code started} as they come, so the caller can stop them
     * even when this fails.
     */
    static void start(int members, String secret, Duration leaseTtl, IntFunction<NodeConfig> configFor,
                      List<FleetMirrorNode> started) throws Exception {
        String name = "loopback-" + UUID.randomUUID();
        List<Integer> ports = new ArrayList<>();
        List<String> addresses = new ArrayList<>();
        for (int i = 0; i < members; i++) {
            ports.add(LocalProcesses.freeMemberPort());
            addresses.add("127.0.0.1:" + ports.get(i));
        }
        List<CompletableFuture<FleetMirrorNode>> starting = new ArrayList<>();
        for (int i = 0; i < members; i++) {
            ClusterSettings settings = new ClusterSettings(name, "127.0.0.1", ports.get(i), addresses, false,
                    Optional.empty(), Optional.of(secret), 1, leaseTtl, "");
            NodeConfig config = configFor.apply(i).withCluster(Optional.of(settings));
            starting.add(FleetMirrorNode.start(config).toCompletionStage().toCompletableFuture());
        }
        for (CompletableFuture<FleetMirrorNode> node : starting) {
            started.add(node.get(90, TimeUnit.SECONDS));
        }
        await("cluster of " + members + " formed").atMost(Duration.ofSeconds(30))
                .until(() -> started.stream().allMatch(n -> n.coordination().view().members().size() >= members));
    }
}
