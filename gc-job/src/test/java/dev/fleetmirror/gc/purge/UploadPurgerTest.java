package dev.fleetmirror.gc.purge;

import dev.fleetmirror.core.registry.stored.StoredRegistry;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.registry.Registry;
import dev.fleetmirror.core.registry.RegistrySettings;
import dev.fleetmirror.core.registry.UploadSession;
import dev.fleetmirror.core.storage.FilesystemDriver;
import dev.fleetmirror.core.storage.StoragePaths;
import dev.fleetmirror.gc.testing.SettableClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UploadPurgerTest {
    private static final Duration AGE = Duration.ofDays(7);
    private static final RepositoryName REPO = RepositoryName.of("team/app");

    @TempDir
    Path root;

    private FilesystemDriver driver;
    private Registry registry;
    private SettableClock clock;

    @BeforeEach
    void storage() {
        driver = new FilesystemDriver(root);
        registry = StoredRegistry.create(driver, RegistrySettings.defaults());
        clock = new SettableClock(Instant.now());
    }

    /** A session as Distribution leaves one: startedat in RFC 3339, some data. */
    private String abandonedSession(RepositoryName repo, Instant startedAt) {
        String id = java.util.UUID.randomUUID().toString();
        driver.putContent(StoragePaths.uploadStartedAt(repo, id),
                startedAt.truncatedTo(ChronoUnit.SECONDS).toString().getBytes(StandardCharsets.US_ASCII));
        driver.putContent(StoragePaths.uploadData(repo, id), new byte[] {1, 2, 3});
        return id;
    }

    private String startedSession(RepositoryName repo) {
        try (UploadSession session = registry.uploads().start(repo)) {
            session.write(new byte[] {4, 5}, 0, 2);
            return session.id();
        }
    }

    private boolean exists(RepositoryName repo, String id) {
        return Files.exists(root.resolve(StoragePaths.uploadDir(repo, id).substring(1)));
    }

    @Test
    void sessionsOlderThanTheAgeAreRemovedAndYoungerOnesKept() {
        String old = abandonedSession(REPO, clock.instant().minus(Duration.ofDays(8)));
        String young = startedSession(REPO);
        RepositoryName onlyUploads = RepositoryName.of("first/push");
        String oldInRepoWithoutContent = abandonedSession(onlyUploads, clock.instant().minus(Duration.ofDays(30)));

        PurgeReport report = new UploadPurger(driver, AGE, clock).run(false);

        assertThat(exists(REPO, old)).isFalse();
        assertThat(exists(onlyUploads, oldInRepoWithoutContent)).isFalse();
        assertThat(exists(REPO, young)).isTrue();
        assertThat(report.sessionsFound()).isEqualTo(3);
        assertThat(report.sessionsRemoved()).isEqualTo(2);
        try (UploadSession resumed = registry.uploads().resume(REPO, young)) {
            assertThat(resumed.id()).isEqualTo(young);
        }
    }

    @Test
    void aSessionAgesFromItsDataWhenItsStartTimeIsUnreadable() {
        String id = abandonedSession(REPO, clock.instant());
        driver.putContent(StoragePaths.uploadStartedAt(REPO, id), "not a time".getBytes(StandardCharsets.US_ASCII));

        new UploadPurger(driver, AGE, clock).run(false);
        assertThat(exists(REPO, id)).isTrue();

        clock.advance(Duration.ofDays(8));
        new UploadPurger(driver, AGE, clock).run(false);
        assertThat(exists(REPO, id)).isFalse();
    }

    @Test
    void aDryRunCountsOldSessionsAndDeletesNothing() {
        String old = abandonedSession(REPO, clock.instant().minus(Duration.ofDays(8)));

        PurgeReport report = new UploadPurger(driver, AGE, clock).run(true);

        assertThat(report.sessionsRemoved()).isEqualTo(1);
        assertThat(report.dryRun()).isTrue();
        assertThat(exists(REPO, old)).isTrue();
    }
}
