package dev.fleetmirror.node.maintenance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fleetmirror.coordination.ClusterSettings;
import dev.fleetmirror.coordination.Coordination;
import dev.fleetmirror.coordination.HazelcastCoordination;
import dev.fleetmirror.coordination.StandaloneCoordination;
import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.storage.FilesystemDriver;
import dev.fleetmirror.core.storage.StoragePaths;
import dev.fleetmirror.gc.expiry.LastPulls;
import dev.fleetmirror.gc.expiry.PullRecorder;
import dev.fleetmirror.node.config.UploadPurgingConfig;
import dev.fleetmirror.core.testing.LocalProcesses;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
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

/** The node's own housekeeping on a real Vert.x instance and filesystem storage. */
class MaintenanceScheduleTest {
    private static final RepositoryName REPO = RepositoryName.of("team/app");
    private static final UploadPurgingConfig PURGING =
            new UploadPurgingConfig(true, Duration.ofDays(7), Duration.ofHours(1), false);

    @TempDir
    Path root;

    private Vertx vertx;
    private FilesystemDriver driver;
    private StandaloneCoordination coordination;
    private MaintenanceSchedule schedule;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        driver = new FilesystemDriver(root);
        coordination = new StandaloneCoordination();
    }

    @AfterEach
    void stop() throws Exception {
        if (schedule != null) {
            schedule.close();
        }
        coordination.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private String session(Instant startedAt) {
        String id = UUID.randomUUID().toString();
        driver.putContent(StoragePaths.uploadStartedAt(REPO, id), startedAt.toString().getBytes(StandardCharsets.US_ASCII));
        return id;
    }

    private boolean exists(String id) {
        return Files.exists(root.resolve(StoragePaths.uploadDir(REPO, id).substring(1)));
    }

    private MaintenanceSchedule schedule(Optional<PullRecorder> pulls, boolean writable) {
        return MaintenanceSchedule.start(vertx, driver, coordination, PURGING, pulls, () -> writable,
                Duration.ofMillis(100), Duration.ofMillis(100), Clock.systemUTC());
    }

    @Test
    void uploadPurgingRunsShortlyAfterStartUpAndRemovesOnlyOldSessions() {
        String old = session(Instant.now().minus(Duration.ofDays(8)));
        String young = session(Instant.now());

        schedule = schedule(Optional.empty(), true);

        await().atMost(10, TimeUnit.SECONDS).until(() -> schedule.lastPurge().isPresent());
        assertThat(schedule.lastPurge().get().sessionsRemoved()).isEqualTo(1);
        assertThat(exists(old)).isFalse();
        assertThat(exists(young)).isTrue();
    }

    @Test
    void aReadOnlyNodeLeavesUploadsAlone() {
        String old = session(Instant.now().minus(Duration.ofDays(8)));

        schedule = schedule(Optional.empty(), false);

        await().atMost(10, TimeUnit.SECONDS).until(() -> schedule.purgesSkipped() > 0);
        assertThat(schedule.lastPurge()).isEmpty();
        assertThat(exists(old)).isTrue();
    }

    @Test
    void inAClusterOnlyTheOldestMemberPurges() throws Exception {
        String old = session(Instant.now().minus(Duration.ofDays(8)));
        String name = "maintenance-" + UUID.randomUUID();
        List<Integer> ports = List.of(LocalProcesses.freeMemberPort(), LocalProcesses.freeMemberPort());
        List<String> addresses = List.of("127.0.0.1:" + ports.get(0), "127.0.0.1:" + ports.get(1));
        List<Coordination> members = new ArrayList<>();
        List<MaintenanceSchedule> schedules = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                members.add(HazelcastCoordination.start(new ClusterSettings(name, "127.0.0.1", ports.get(i), addresses,
                        false, Optional.empty(), Optional.of("secret"), 1, Duration.ofSeconds(5), "")));
            }
            await().atMost(30, TimeUnit.SECONDS).until(() -> members.get(1).view().members().size() == 2);
            for (Coordination member : members) {
                schedules.add(MaintenanceSchedule.start(vertx, driver, member, PURGING, Optional.empty(), () -> true,
                        Duration.ofMillis(100), Duration.ofMillis(100), Clock.systemUTC()));
            }

            MaintenanceSchedule oldest = schedules.get(members.get(0).view().oldest().local() ? 0 : 1);
            MaintenanceSchedule younger = schedules.get(oldest == schedules.get(0) ? 1 : 0);

            await().atMost(10, TimeUnit.SECONDS).until(() -> oldest.lastPurge().isPresent()
                    && younger.purgesSkipped() > 0);
            assertThat(younger.lastPurge()).isEmpty();
            assertThat(oldest.purgesSkipped()).isZero();
            assertThat(exists(old)).isFalse();
        } finally {
            schedules.forEach(MaintenanceSchedule::close);
            members.forEach(Coordination::close);
        }
    }

    @Test
    void recordedPullsReachStorageWithoutWaitingForClose() {
        PullRecorder pulls = new PullRecorder(driver, Clock.systemUTC(), Duration.ofHours(1));
        Digest manifest = Digest.sha256(new byte[] {7});
        schedule = schedule(Optional.of(pulls), true);

        pulls.pulled(REPO, manifest);

        LastPulls stored = new LastPulls(driver);
        await().atMost(10, TimeUnit.SECONDS).until(() -> stored.read(REPO, manifest).isPresent());
    }
}
