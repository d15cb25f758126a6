package dev.fleetmirror.gc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.name.Reference;
import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.name.Tag;
import dev.fleetmirror.core.storage.FilesystemDriver;
import dev.fleetmirror.core.storage.StoragePaths;
import dev.fleetmirror.core.testing.DistributionGarbageCollect;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Mark and sweep on real storage (the filesystem driver), with content pushed through the registry's services. */
class GarbageCollectorTest {
    @TempDir
    Path root;

    private FilesystemDriver driver;
    private StoredImages images;

    @BeforeEach
    void open() {
        driver = new FilesystemDriver(root);
        images = new StoredImages(driver);
    }

    private GcReport collect(boolean dryRun, boolean deleteUntagged, Duration grace, Set<String> eligible) throws Exception {
        return collect(dryRun, deleteUntagged, grace, eligible, GarbageCollector.SHARDED_BLOB_LISTING);
    }

    private GcReport collect(boolean dryRun, boolean deleteUntagged, Duration grace, Set<String> eligible,
                             int shardedListingFrom) throws Exception {
        return new GarbageCollector(driver, new GarbageCollector.Options(dryRun, deleteUntagged, grace, 4), Clock.systemUTC(),
                new GarbageCollector.Listener() {
                    @Override
                    public void eligible(Digest blob) {
                        eligible.add(blob.toString());
                    }
                }, shardedListingFrom).run();
    }

    /** A large registry's blob listing, split by first-level directory and walked in parallel, finds the same garbage. */
    @Test
    void theBlobListingSplitByDirectoryFindsWhatTheFlatOneFinds() throws Exception {
        List<Digest> kept = new java.util.ArrayList<>();
        List<Digest> garbage = new java.util.ArrayList<>();
        for (int i = 0; i < 40; i++) {
            Digest layer = images.blob("team/app", "layer " + i);
            Digest config = images.blob("team/app", "{\"config\":" + i + "}");
            Digest manifest = images.image("team/app", "v" + i, config, List.of(layer), Optional.empty());
            if (i % 4 == 0) {
                images.registry().manifests().delete(RepositoryName.of("team/app"), Reference.of(manifest));
                garbage.addAll(List.of(layer, config, manifest));
            } else {
                kept.addAll(List.of(layer, config, manifest));
            }
        }
        assertThat(garbage.stream().map(d -> d.toString().substring("sha256:".length(), "sha256:".length() + 2))
                .distinct().count()).as("garbage in many first-level directories").isGreaterThan(10);

        Set<String> eligible = new ConcurrentSkipListSet<>();
        GcReport report = collect(false, false, Duration.ZERO, eligible, 0);

        assertThat(eligible).containsExactlyInAnyOrderElementsOf(garbage.stream().map(Digest::toString).toList());
        assertThat(kept).allMatch(this::stored);
        assertThat(garbage).noneMatch(this::stored);
        assertThat(report.blobsDeleted()).isEqualTo(garbage.size());
    }

    private boolean stored(Digest blob) {
        return Files.exists(root.resolve(StoragePaths.blobData(blob).substring(1)));
    }

    @Test
    void seedExampleKeepsTheLayersOfTheRemainingManifestAndDeletesTheRest() throws Exception {
        Digest a = images.blob("team/app", "layer a");
        Digest b = images.blob("team/app", "layer b");
        Digest c = images.blob("team/app", "layer c");
        Digest configA = images.blob("team/app", "{\"config\":\"A\"}");
        Digest configB = images.blob("team/app", "{\"config\":\"B\"}");
        Digest manifestA = images.image("team/app", "a", configA, List.of(a, b), Optional.empty());
        Digest manifestB = images.image("team/app", "b", configB, List.of(a, c), Optional.empty());
        images.registry().manifests().delete(RepositoryName.of("team/app"), Reference.of(manifestB));

        Set<String> eligible = new ConcurrentSkipListSet<>();
        GcReport report = collect(false, false, Duration.ZERO, eligible);

        assertThat(eligible).containsExactlyInAnyOrder(c.toString(), configB.toString(), manifestB.toString());
        assertThat(List.of(a, b, configA, manifestA)).allMatch(this::stored);
        assertThat(List.of(c, configB, manifestB)).noneMatch(this::stored);
        assertThat(report.blobsDeleted()).isEqualTo(3);
        assertThat(report.bytesFreed()).isPositive();
        assertThat(report.manifestsMarked()).isEqualTo(1);
        assertThat(report.layerLinksDeleted()).as("team/app's links to c and B's config").isEqualTo(2);
        assertThat(Files.exists(root.resolve(StoragePaths.layerLink(RepositoryName.of("team/app"), c).substring(1)))).isFalse();
        assertThat(Files.exists(root.resolve(StoragePaths.layerLink(RepositoryName.of("team/app"), a).substring(1)))).isTrue();
    }

    @Test
    void sharedLayersAcrossRepositoriesAndIndexChildrenAreKept() throws Exception {
        Digest shared = images.blob("one/app", "shared layer");
        images.blob("two/app", "shared layer");
        Digest config1 = images.blob("one/app", "{\"config\":1}");
        Digest config2 = images.blob("two/app", "{\"config\":2}");
        Digest amd = images.image("two/app", null, config2, List.of(shared), Optional.empty());
        Digest index = images.index("two/app", "multi", List.of(amd));
        Digest only = images.image("one/app", "v1", config1, List.of(shared), Optional.empty());
        images.registry().manifests().delete(RepositoryName.of("one/app"), Reference.of(only));

        Set<String> eligible = new ConcurrentSkipListSet<>();
        collect(false, true, Duration.ZERO, eligible);

        assertThat(eligible).containsExactlyInAnyOrder(config1.toString(), only.toString());
        assertThat(List.of(shared, config2, amd, index)).allMatch(this::stored);
    }

    @Test
    void untaggedManifestsAreKeptByDefaultAndGoWithDeleteUntaggedExceptReferrersOfKeptSubjects() throws Exception {
        Digest layer = images.blob("team/app", "layer");
        Digest config = images.blob("team/app", "{\"c\":1}");
        Digest sigConfig = images.blob("team/app", "{\"signature\":1}");
        Digest oldConfig = images.blob("team/app", "{\"c\":0}");
        Digest tagged = images.image("team/app", "latest", config, List.of(layer), Optional.empty());
        Digest untagged = images.image("team/app", null, oldConfig, List.of(layer), Optional.empty());
        Digest signature = images.image("team/app", null, sigConfig, List.of(), Optional.of(tagged));

        Set<String> keptByDefault = new ConcurrentSkipListSet<>();
        GcReport first = collect(false, false, Duration.ZERO, keptByDefault);
        assertThat(keptByDefault).isEmpty();
        assertThat(first.manifestsMarked()).isEqualTo(3);

        Set<String> eligible = new ConcurrentSkipListSet<>();
        GcReport second = collect(false, true, Duration.ZERO, eligible);
        assertThat(second.manifestsDeleted()).isEqualTo(1);
        assertThat(eligible).containsExactlyInAnyOrder(untagged.toString(), oldConfig.toString());
        assertThat(List.of(tagged, signature, sigConfig, layer, config)).allMatch(this::stored);
        assertThat(images.registry().manifests().get(RepositoryName.of("team/app"), Reference.of(untagged))).isEmpty();
        assertThat(images.registry().manifests().get(RepositoryName.of("team/app"), Reference.of(signature))).isPresent();
        assertThat(images.registry().manifests().get(RepositoryName.of("team/app"), Tag.of("latest"))).isPresent();
    }

    @Test
    void graceWindowSparesFreshUnreferencedBlobsAndDryRunDeletesNothing() throws Exception {
        Digest fresh = images.blob("team/app", "uploaded, manifest not yet pushed");
        Digest old = images.blob("team/app", "abandoned long ago");
        Files.setLastModifiedTime(root.resolve(StoragePaths.blobData(old).substring(1)),
                FileTime.from(Instant.now().minus(Duration.ofHours(3))));

        Set<String> dry = new ConcurrentSkipListSet<>();
        GcReport dryRun = collect(true, false, Duration.ofHours(1), dry);
        assertThat(dry).containsExactly(old.toString());
        assertThat(dryRun.blobsSpared()).isEqualTo(1);
        assertThat(stored(old)).as("a dry run deletes nothing").isTrue();

        Set<String> eligible = new ConcurrentSkipListSet<>();
        collect(false, false, Duration.ofHours(1), eligible);
        assertThat(stored(fresh)).isTrue();
        assertThat(stored(old)).isFalse();
    }

    @Test
    void namesTheSameBlobsAsDistributionsGarbageCollect() throws Exception {
        assumeTrue(DistributionGarbageCollect.available(), "Debian's docker-registry is not installed: no comparison");
        Digest shared = images.blob("one/app", "shared");
        images.blob("two/app", "shared");
        for (int i = 0; i < 6; i++) {
            String repo = i % 2 == 0 ? "one/app" : "two/app";
            Digest config = images.blob(repo, "{\"config\":" + i + "}");
            Digest layer = images.blob(repo, "layer " + i);
            Digest manifest = images.image(repo, "v" + i, config, List.of(shared, layer), Optional.empty());
            if (i % 3 == 0) {
                images.registry().manifests().delete(RepositoryName.of(repo), Reference.of(manifest));
            }
        }
        Digest child = images.image("two/app", null, images.blob("two/app", "{\"config\":\"child\"}"), List.of(shared),
                Optional.empty());
        images.index("two/app", "multi", List.of(child));
        images.blob("one/app", "never referenced");

        Set<String> ours = new TreeSet<>();
        collect(true, false, Duration.ZERO, java.util.Collections.synchronizedSet(ours));
        Set<String> theirs = distributionEligible();
        assertThat(ours).isNotEmpty().isEqualTo(theirs);
    }

    private Set<String> distributionEligible() throws IOException, InterruptedException {
        return DistributionGarbageCollect.eligible(DistributionGarbageCollect.dryRun(root));
    }
}
