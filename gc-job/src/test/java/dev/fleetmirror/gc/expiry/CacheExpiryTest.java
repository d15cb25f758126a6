package dev.fleetmirror.gc.expiry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.name.Tag;
import dev.fleetmirror.core.storage.FilesystemDriver;
import dev.fleetmirror.core.storage.StoragePaths;
import dev.fleetmirror.gc.testing.SettableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CacheExpiryTest {
    private static final Duration TTL = Duration.ofDays(7);
    private static final RepositoryName MIRRORED = RepositoryName.of("mirror/app");
    private static final Predicate<RepositoryName> UNDER_MIRROR = repo -> repo.value().startsWith("mirror/");

    @TempDir
    Path root;

    private FilesystemDriver driver;
    private CachedImages images;
    private LastPulls lastPulls;
    /** Eight days after the images were stored: a week-long TTL has passed for anything not pulled since. */
    private SettableClock clock;

    @BeforeEach
    void storage() {
        driver = new FilesystemDriver(root);
        images = new CachedImages(driver);
        lastPulls = new LastPulls(driver);
        clock = new SettableClock(Instant.now().plus(Duration.ofDays(8)));
    }

    private CacheExpiry expiry(Duration ttl) {
        return new CacheExpiry(driver, ttl, UNDER_MIRROR, clock);
    }

    private boolean exists(String storagePath) {
        return Files.exists(root.resolve(storagePath.substring(1)));
    }

    @Test
    void aManifestNotPulledWithinTheTtlIsUnlinkedWithItsTagsWhileItsBlobsStay() {
        CachedImages.Image old = images.store("mirror/app", "old", "a");
        CachedImages.Image recent = images.store("mirror/app", "recent", "b");
        lastPulls.write(MIRRORED, old.manifest(), clock.instant().minus(Duration.ofDays(7).plusMinutes(1)));
        lastPulls.write(MIRRORED, recent.manifest(), clock.instant().minus(Duration.ofDays(6)));

        ExpiryReport report = expiry(TTL).run(false);

        assertThat(exists(StoragePaths.revisionLink(MIRRORED, old.manifest()))).isFalse();
        assertThat(exists(StoragePaths.tagDir(MIRRORED, Tag.of("old")))).isFalse();
        assertThat(lastPulls.read(MIRRORED, old.manifest())).isEmpty();
        assertThat(exists(StoragePaths.blobData(old.manifest()))).as("the manifest's blob is the sweep's").isTrue();
        for (Digest blob : old.blobs()) {
            assertThat(exists(StoragePaths.blobData(blob))).isTrue();
            assertThat(exists(StoragePaths.layerLink(MIRRORED, blob))).isTrue();
        }
        assertThat(exists(StoragePaths.revisionLink(MIRRORED, recent.manifest()))).isTrue();
        assertThat(exists(StoragePaths.tagCurrentLink(MIRRORED, Tag.of("recent")))).isTrue();
        assertThat(report.repositoriesVisited()).isEqualTo(1);
        assertThat(report.manifestsUnlinked()).isEqualTo(1);
        assertThat(report.tagsUnlinked()).isEqualTo(1);
        assertThat(report.manifestsKept()).isEqualTo(1);
        assertThat(report.changed()).containsExactly(MIRRORED);
    }

    @Test
    void aManifestWithoutARecordedPullAgesFromItsRevisionLink() {
        CachedImages.Image image = images.store("mirror/app", "v1", "a");

        clock.set(Instant.now().plus(Duration.ofDays(6)));
        assertThat(expiry(TTL).run(false).manifestsUnlinked()).isZero();
        assertThat(exists(StoragePaths.revisionLink(MIRRORED, image.manifest()))).isTrue();

        clock.set(Instant.now().plus(Duration.ofDays(8)));
        assertThat(expiry(TTL).run(false).manifestsUnlinked()).isEqualTo(1);
        assertThat(exists(StoragePaths.revisionLink(MIRRORED, image.manifest()))).isFalse();
    }

    @Test
    void hostedRepositoriesAreNeverExpired() {
        CachedImages.Image hosted = images.store("team/app", "v1", "a");

        ExpiryReport report = expiry(TTL).run(false);

        assertThat(report.repositoriesVisited()).isZero();
        assertThat(report.manifestsUnlinked()).isZero();
        RepositoryName team = RepositoryName.of("team/app");
        assertThat(exists(StoragePaths.revisionLink(team, hosted.manifest()))).isTrue();
        assertThat(exists(StoragePaths.tagCurrentLink(team, Tag.of("v1")))).isTrue();
    }

    @Test
    void aZeroTtlDisablesExpiry() {
        CachedImages.Image image = images.store("mirror/app", "v1", "a");

        ExpiryReport report = expiry(Duration.ZERO).run(false);

        assertThat(report.repositoriesVisited()).isZero();
        assertThat(exists(StoragePaths.revisionLink(MIRRORED, image.manifest()))).isTrue();
    }

    @Test
    void aDryRunCountsWhatWouldExpireAndUnlinksNothing() {
        CachedImages.Image image = images.store("mirror/app", "v1", "a");
        lastPulls.write(MIRRORED, image.manifest(), clock.instant().minus(Duration.ofDays(30)));

        ExpiryReport report = expiry(TTL).run(true);

        assertThat(report.manifestsUnlinked()).isEqualTo(1);
        assertThat(report.tagsUnlinked()).isEqualTo(1);
        assertThat(exists(StoragePaths.revisionLink(MIRRORED, image.manifest()))).isTrue();
        assertThat(exists(StoragePaths.tagCurrentLink(MIRRORED, Tag.of("v1")))).isTrue();
        assertThat(lastPulls.read(MIRRORED, image.manifest())).isPresent();
    }

    @Test
    void timesOfManifestsNoLongerInTheRepositoryAreForgotten() {
        CachedImages.Image image = images.store("mirror/app", "v1", "a");
        lastPulls.write(MIRRORED, image.manifest(), clock.instant());
        Digest gone = Digest.sha256(new byte[] {1, 2, 3});
        lastPulls.write(MIRRORED, gone, clock.instant());

        expiry(TTL).run(false);

        assertThat(lastPulls.read(MIRRORED, gone)).isEmpty();
        assertThat(lastPulls.recorded(MIRRORED)).containsExactly(image.manifest());
    }
}
