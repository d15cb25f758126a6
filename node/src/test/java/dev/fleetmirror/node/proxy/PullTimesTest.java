package dev.fleetmirror.node.proxy;

import static dev.fleetmirror.node.proxy.MirrorFixture.catchAll;
import static dev.fleetmirror.node.proxy.MirrorFixture.pull;
import static dev.fleetmirror.node.proxy.MirrorFixture.requests;
import static dev.fleetmirror.node.proxy.MirrorFixture.uri;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.name.Tag;
import dev.fleetmirror.core.storage.FilesystemDriver;
import dev.fleetmirror.core.storage.StoragePaths;
import dev.fleetmirror.gc.expiry.CacheExpiry;
import dev.fleetmirror.gc.expiry.ExpiryReport;
import dev.fleetmirror.gc.expiry.LastPulls;
import dev.fleetmirror.node.FleetMirrorNode;
import dev.fleetmirror.node.config.UpstreamConfig;
import dev.fleetmirror.node.testing.DistributionProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node notes when mirrored manifests are served and keeps the times in storage, where every
 * node and every restart finds them and expiry ({@code proxy.ttl}) reads them.
 */
class PullTimesTest {
    private static final RepositoryName APP = RepositoryName.of("team/app");
    private static final RepositoryName OTHER = RepositoryName.of("team/other");

    @TempDir
    Path work;

    @RegisterExtension
    final MirrorRig rig = new MirrorRig();

    private DistributionProcess upstream;
    private LastPulls lastPulls;

    @BeforeEach
    void startUpstream() {
        upstream = rig.startUpstream(work, "upstream", "");
        lastPulls = new LastPulls(new FilesystemDriver(storage()));
    }

    private Path storage() {
        return work.resolve("node-storage");
    }

    private FleetMirrorNode mirror() throws Exception {
        return rig.startNode(storage(), work.resolve("spool"), Duration.ofMinutes(1), catchAll(upstream.baseUri()));
    }

    private static Clock at(Instant instant) {
        return Clock.fixed(instant, ZoneOffset.UTC);
    }

    private boolean exists(String storagePath) {
        return Files.exists(storage().resolve(storagePath.substring(1)));
    }

    @Test
    void aCacheHitRefreshesTheLastPullSoExpiryKeepsTheManifest() throws Exception {
        TestImage app = TestImage.random(71, 10_000);
        TestImage other = TestImage.random(72, 10_000);
        app.push(upstream.baseUri(), "team/app", "v1");
        other.push(upstream.baseUri(), "team/other", "v1");
        FleetMirrorNode node = mirror();
        pull(uri(node), "team/app", "v1");
        pull(uri(node), "team/other", "v1");
        // Fills reach storage after the client has its bytes.
        for (var blob : other.blobDigests()) {
            await().atMost(30, TimeUnit.SECONDS).until(() -> MirrorFixture.cached(storage(), blob));
        }
        rig.stopNode();
        Instant longAgo = Instant.now().minus(Duration.ofDays(10));
        lastPulls.write(APP, app.digest(), longAgo);
        lastPulls.write(OTHER, other.digest(), longAgo);

        FleetMirrorNode restarted = mirror();
        Instant hit = Instant.now();
        pull(uri(restarted), "team/app", app.digest().toString());
        rig.stopNode();

        assertThat(requests(upstream, "GET", "/v2/team/app/manifests/" + app.digest()))
                .as("the second pull was a cache hit").isZero();
        assertThat(lastPulls.read(APP, app.digest())).hasValueSatisfying(t -> assertThat(t).isAfterOrEqualTo(hit));
        ExpiryReport report = new CacheExpiry(new FilesystemDriver(storage()), Duration.ofDays(7), repo -> true,
                Clock.systemUTC()).run(false);
        assertThat(report.manifestsUnlinked()).isEqualTo(1);
        assertThat(exists(StoragePaths.revisionLink(APP, app.digest()))).isTrue();
        assertThat(exists(StoragePaths.tagCurrentLink(APP, Tag.of("v1")))).isTrue();
        assertThat(exists(StoragePaths.revisionLink(OTHER, other.digest()))).isFalse();
        assertThat(exists(StoragePaths.tagDir(OTHER, Tag.of("v1")))).isFalse();
        for (var blob : other.blobDigests()) {
            assertThat(exists(StoragePaths.blobData(blob))).as("expiry deletes no blob").isTrue();
        }
    }

    @Test
    void onlyPullsOfMirroredRepositoriesAreRecorded() throws Exception {
        TestImage mirrored = TestImage.random(74, 10_000);
        mirrored.push(upstream.baseUri(), "team/app", "v1");
        FleetMirrorNode node = rig.startNode(storage(), work.resolve("spool"), Duration.ofMinutes(1),
                new UpstreamConfig("upstream", upstream.baseUri(), Optional.empty(), Optional.empty(), "mirror/", true));
        TestImage hosted = TestImage.random(75, 10_000);
        hosted.push(uri(node), "team/hosted", "v1");

        pull(uri(node), "team/hosted", "v1");
        pull(uri(node), "mirror/team/app", "v1");
        rig.stopNode();

        assertThat(lastPulls.recorded(RepositoryName.of("team/hosted"))).isEmpty();
        assertThat(lastPulls.recorded(RepositoryName.of("mirror/team/app"))).containsExactly(mirrored.digest());
    }

    @Test
    void lastPullsSurviveARestartAndTheNextNodeBuildsOnThem() throws Exception {
        TestImage app = TestImage.random(73, 10_000);
        app.push(upstream.baseUri(), "team/app", "v1");
        FleetMirrorNode node = mirror();
        Instant before = Instant.now();
        pull(uri(node), "team/app", "v1");
        rig.stopNode();
        Instant recorded = lastPulls.read(APP, app.digest()).orElseThrow();
        assertThat(recorded).isBetween(before, Instant.now());

        FleetMirrorNode restarted = mirror();
        pull(uri(restarted), "team/app", app.digest().toString());
        rig.stopNode();

        assertThat(lastPulls.read(APP, app.digest()))
                .as("a pull within the refresh interval of the stored time does not rewrite it").contains(recorded);
        CacheExpiry sixDaysLater = new CacheExpiry(new FilesystemDriver(storage()), Duration.ofDays(7), repo -> true,
                at(recorded.plus(Duration.ofDays(6))));
        assertThat(sixDaysLater.run(false).manifestsUnlinked()).isZero();
        CacheExpiry eightDaysLater = new CacheExpiry(new FilesystemDriver(storage()), Duration.ofDays(7), repo -> true,
                at(recorded.plus(Duration.ofDays(8))));
        assertThat(eightDaysLater.run(false).manifestsUnlinked()).isEqualTo(1);
        assertThat(exists(StoragePaths.revisionLink(APP, app.digest()))).isFalse();
    }
}
