package dev.fleetmirror.gc.expiry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.storage.FilesystemDriver;
import dev.fleetmirror.gc.testing.SettableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PullRecorderTest {
    private static final RepositoryName REPO = RepositoryName.of("mirror/app");
    private static final Digest MANIFEST = Digest.sha256(new byte[] {42});
    private static final Duration REFRESH_AFTER = Duration.ofHours(1);

    @TempDir
    Path root;

    private FilesystemDriver driver;
    private LastPulls lastPulls;
    private SettableClock clock;

    @BeforeEach
    void storage() {
        driver = new FilesystemDriver(root);
        lastPulls = new LastPulls(driver);
        clock = new SettableClock(Instant.parse("2026-11-01T10:00:00Z"));
    }

    @Test
    void pullsReachStorageOnFlushAndRepeatedPullsRewriteItOnlyOncePerRefreshInterval() {
        PullRecorder recorder = new PullRecorder(driver, clock, REFRESH_AFTER);
        Instant first = clock.instant();
        recorder.pulled(REPO, MANIFEST);
        assertThat(lastPulls.read(REPO, MANIFEST)).as("nothing is written before a flush").isEmpty();

        assertThat(recorder.flush().written()).isEqualTo(1);
        assertThat(lastPulls.read(REPO, MANIFEST)).contains(first);

        for (int i = 0; i < 5; i++) {
            clock.advance(Duration.ofMinutes(10));
            recorder.pulled(REPO, MANIFEST);
            assertThat(recorder.flush().written()).isZero();
        }
        assertThat(lastPulls.read(REPO, MANIFEST)).contains(first);

        clock.advance(Duration.ofMinutes(10));
        recorder.pulled(REPO, MANIFEST);
        assertThat(recorder.flush().written()).isEqualTo(1);
        assertThat(lastPulls.read(REPO, MANIFEST)).contains(first.plus(Duration.ofMinutes(60)));
    }

    @Test
    void aTimeAnotherNodeStoredRecentlyIsNotWrittenAgain() {
        PullRecorder nodeA = new PullRecorder(driver, clock, REFRESH_AFTER);
        PullRecorder nodeB = new PullRecorder(driver, clock, REFRESH_AFTER);
        Instant byA = clock.instant();
        nodeA.pulled(REPO, MANIFEST);
        nodeA.flush();

        clock.advance(Duration.ofMinutes(5));
        nodeB.pulled(REPO, MANIFEST);
        PullRecorder.Flush flush = nodeB.flush();

        assertThat(flush.written()).isZero();
        assertThat(flush.alreadyRecent()).isEqualTo(1);
        assertThat(lastPulls.read(REPO, MANIFEST)).contains(byA);
    }

    @Test
    void aFailedFlushKeepsThePullsForTheNextOne() throws Exception {
        PullRecorder recorder = new PullRecorder(driver, clock, REFRESH_AFTER);
        Path blocker = root.resolve("fleetmirror");
        Files.writeString(blocker, "a file where the metadata directory belongs");
        recorder.pulled(REPO, MANIFEST);

        PullRecorder.Flush failed = recorder.flush();

        assertThat(failed.failed()).isTrue();
        assertThat(failed.pending()).isEqualTo(1);
        Files.delete(blocker);
        PullRecorder.Flush retried = recorder.flush();
        assertThat(retried.failed()).isFalse();
        assertThat(retried.written()).isEqualTo(1);
        assertThat(lastPulls.read(REPO, MANIFEST)).contains(clock.instant());
    }

    @Test
    void manifestsNotPulledForARefreshIntervalLeaveMemoryOnceStored() {
        PullRecorder recorder = new PullRecorder(driver, clock, REFRESH_AFTER);
        recorder.pulled(REPO, MANIFEST);
        recorder.flush();
        assertThat(recorder.pending()).isEqualTo(1);

        clock.advance(REFRESH_AFTER.plusSeconds(1));
        recorder.flush();

        assertThat(recorder.pending()).isZero();
        assertThat(lastPulls.read(REPO, MANIFEST)).isPresent();
    }

    @Test
    void storageIsRefreshedAtOnePercentOfTheTtlAndAtLeastHourly() {
        assertThat(PullRecorder.refreshAfter(Duration.ofHours(10))).isEqualTo(Duration.ofMinutes(6));
        assertThat(PullRecorder.refreshAfter(Duration.ofHours(168))).isEqualTo(Duration.ofHours(1));
        assertThat(PullRecorder.refreshAfter(Duration.ZERO)).isEqualTo(Duration.ofHours(1));
    }
}
