package dev.fleetmirror.node.gc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fleetmirror.coordination.ClusterSettings;
import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.storage.FilesystemDriver;
import dev.fleetmirror.core.storage.StoragePaths;
import dev.fleetmirror.core.testing.LocalProcesses;
import dev.fleetmirror.gc.ClusterStateSnapshot;
import dev.fleetmirror.node.FleetMirrorNode;
import dev.fleetmirror.node.cli.GcCommand;
import dev.fleetmirror.node.config.HttpConfig;
import dev.fleetmirror.node.config.NodeConfig;
import dev.fleetmirror.node.config.StorageBackend;
import dev.fleetmirror.node.config.StorageConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The offline {@code fleetmirror gc} after the nodes on its storage stopped cleanly: the last
 * member to stop records that the cluster stopped, so the collection runs at once instead of
 * refusing until the cluster's state snapshot is {@link ClusterStateSnapshot#LIVE} old; while a
 * member still runs it keeps refusing.
 */
class OfflineGcAfterStopTest {
    @TempDir
    Path work;

    private Path storage;
    private Path config;
    private Digest orphan;
    private final List<FleetMirrorNode> running = new ArrayList<>();
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void orphanBlob() throws Exception {
        storage = work.resolve("storage");
        config = Files.writeString(work.resolve("config.yml"), """
                version: 0.1
                storage:
                  filesystem:
                    rootdirectory: %s
                """.formatted(storage));
        byte[] bytes = ("nothing references this " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
        orphan = Digest.sha256(bytes);
        try (FilesystemDriver driver = new FilesystemDriver(storage)) {
            driver.putContent(StoragePaths.blobData(orphan), bytes);
        }
    }

    @AfterEach
    void stopNodes() throws Exception {
        for (FleetMirrorNode node : List.copyOf(running)) {
            stop(node);
        }
    }

    @Test
    void aStandaloneNodeStoppedCleanlyLetsTheOfflineCollectionRunAtOnce() throws Exception {
        FleetMirrorNode node = start(NodeConfig.defaults().withHttp(HttpConfig.loopback(0))
                .withStorage(StorageConfig.of(new StorageBackend.Filesystem(storage))));
        await("the node's first snapshot").atMost(Duration.ofSeconds(10)).until(() -> snapshot().isPresent());
        assertThat(gc()).as("refused while the node runs: %s", err).isEqualTo(3);
        assertThat(orphanStored()).isTrue();

        stop(node);

        assertThat(snapshot().orElseThrow().mode()).isEqualTo(ClusterStateSnapshot.STOPPED);
        assertThat(Duration.between(snapshot().orElseThrow().updated(), Instant.now()))
                .as("the snapshot is fresh: only its mode lets the collection run").isLessThan(ClusterStateSnapshot.LIVE);
        assertThat(gc()).as(err.toString()).isZero();
        assertThat(orphanStored()).isFalse();
    }

    @Test
    void onlyTheLastMemberOfAClusterToStopRecordsThatItStopped() throws Exception {
        String name = "stop-" + UUID.randomUUID().toString().substring(0, 8);
        List<Integer> ports = List.of(LocalProcesses.freeMemberPort(), LocalProcesses.freeMemberPort());
        List<String> members = ports.stream().map(p -> "127.0.0.1:" + p).toList();
        for (int port : ports) {
            start(NodeConfig.defaults().withHttp(HttpConfig.loopback(0))
                    .withStorage(StorageConfig.of(new StorageBackend.Filesystem(storage)))
                    .withCluster(Optional.of(new ClusterSettings(name, "127.0.0.1", port, members, false, Optional.empty(),
                            Optional.of("stop-secret"), 1, Duration.ofSeconds(5), ""))));
        }
        await("the cluster formed").atMost(Duration.ofSeconds(30))
                .until(() -> running.stream().allMatch(n -> n.coordination().view().members().size() == 2));
        await("a snapshot").atMost(Duration.ofSeconds(15)).until(() -> snapshot().isPresent());

        FleetMirrorNode last = running.get(1);
        stop(running.get(0));
        assertThat(snapshot().orElseThrow().mode()).as("a member still runs").isNotEqualTo(ClusterStateSnapshot.STOPPED);
        assertThat(gc()).as("refused while a member runs: %s", err).isEqualTo(3);
        assertThat(orphanStored()).isTrue();

        await("the remaining member sees itself alone").atMost(Duration.ofSeconds(30))
                .until(() -> last.coordination().view().members().size() == 1);
        stop(last);

        assertThat(snapshot().orElseThrow().mode()).isEqualTo(ClusterStateSnapshot.STOPPED);
        assertThat(snapshot().orElseThrow().cluster()).isEqualTo(name);
        assertThat(gc()).as(err.toString()).isZero();
        assertThat(orphanStored()).isFalse();
    }

    private FleetMirrorNode start(NodeConfig nodeConfig) throws Exception {
        FleetMirrorNode node = FleetMirrorNode.start(nodeConfig).toCompletionStage().toCompletableFuture()
                .get(60, TimeUnit.SECONDS);
        running.add(node);
        return node;
    }

    private void stop(FleetMirrorNode node) throws Exception {
        running.remove(node);
        node.close(1).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private int gc() {
        CommandLine command = new CommandLine(new GcCommand());
        command.setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
        return command.execute("--grace", "0", config.toString());
    }

    private Optional<ClusterStateSnapshot> snapshot() {
        try (FilesystemDriver driver = new FilesystemDriver(storage)) {
            return ClusterStateSnapshot.read(driver);
        }
    }

    private boolean orphanStored() {
        return Files.isRegularFile(storage.resolve(StoragePaths.blobData(orphan).substring(1)));
    }
}
