package dev.fleetmirror.core.registry.stored;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fleetmirror.core.digest.DigestAlgorithm;
import dev.fleetmirror.core.name.RepositoryName;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import org.junit.jupiter.api.Test;

class RunningHashesTest {
    private static final RepositoryName REPO = RepositoryName.of("team/app");
    private static final String ID = "0d4a1c6e-9c1b-4b5a-8f5e-1234567890ab";
    private static final String OTHER_ID = "7b0f3c55-2f8e-4d0a-9a6e-0f1e2d3c4b5a";

    /** Test-controlled time; the cache's only clock. */
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");
    private final InstantSource clock = () -> now;

    private static MessageDigest digest() {
        return DigestAlgorithm.SHA256.newMessageDigest();
    }

    @Test
    void aKeptHashIsHandedOverOnceForExactlyItsSize() {
        RunningHashes hashes = new RunningHashes(10, Duration.ofHours(1), clock);
        MessageDigest kept = digest();
        hashes.keep(REPO, ID, 100, kept);

        assertThat(hashes.take(REPO, ID, 100)).containsSame(kept);
        assertThat(hashes.take(REPO, ID, 100)).isEmpty();
    }

    @Test
    void aHashKeptForAnotherSizeIsNeverHandedOutAndIsDropped() {
        RunningHashes hashes = new RunningHashes(10, Duration.ofHours(1), clock);
        hashes.keep(REPO, ID, 100, digest());

        assertThat(hashes.take(REPO, ID, 200)).isEmpty();
        assertThat(hashes.size()).isZero();
    }

    @Test
    void hashesAreKeptPerRepositoryAndUpload() {
        RunningHashes hashes = new RunningHashes(10, Duration.ofHours(1), clock);
        hashes.keep(REPO, ID, 100, digest());

        assertThat(hashes.take(RepositoryName.of("other"), ID, 100)).isEmpty();
        assertThat(hashes.take(REPO, OTHER_ID, 100)).isEmpty();
        assertThat(hashes.take(REPO, ID, 100)).isPresent();
    }

    @Test
    void hashesIdleLongerThanTheLimitAreDropped() {
        RunningHashes hashes = new RunningHashes(10, Duration.ofHours(1), clock);
        hashes.keep(REPO, ID, 100, digest());
        hashes.keep(REPO, OTHER_ID, 100, digest());
        now = now.plus(Duration.ofMinutes(61));

        assertThat(hashes.take(REPO, ID, 100)).isEmpty();
        hashes.keep(REPO, ID, 200, digest());
        assertThat(hashes.size()).as("the other expired hash is dropped by the next keep").isEqualTo(1);
    }

    @Test
    void aHashUsedWithinTheLimitStaysUsable() {
        RunningHashes hashes = new RunningHashes(10, Duration.ofHours(1), clock);
        hashes.keep(REPO, ID, 100, digest());
        now = now.plus(Duration.ofMinutes(59));

        assertThat(hashes.take(REPO, ID, 100)).isPresent();
    }

    @Test
    void theLeastRecentlyKeptHashIsDroppedBeyondTheLimit() {
        RunningHashes hashes = new RunningHashes(2, Duration.ofHours(1), clock);
        hashes.keep(REPO, ID, 1, digest());
        hashes.keep(REPO, OTHER_ID, 1, digest());
        hashes.keep(REPO, ID, 2, digest());
        hashes.keep(RepositoryName.of("other"), ID, 1, digest());

        assertThat(hashes.size()).isEqualTo(2);
        assertThat(hashes.take(REPO, OTHER_ID, 1)).isEmpty();
        assertThat(hashes.take(REPO, ID, 2)).isPresent();
        assertThat(hashes.take(RepositoryName.of("other"), ID, 1)).isPresent();
    }

    @Test
    void forgetDropsTheHash() {
        RunningHashes hashes = new RunningHashes(10, Duration.ofHours(1), clock);
        hashes.keep(REPO, ID, 100, digest());
        hashes.forget(REPO, ID);

        assertThat(hashes.take(REPO, ID, 100)).isEmpty();
    }
}
