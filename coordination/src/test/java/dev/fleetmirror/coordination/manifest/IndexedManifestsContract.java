package dev.fleetmirror.coordination.manifest;

import dev.fleetmirror.core.registry.stored.StoredRegistry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fleetmirror.coordination.testing.WatchedStorage;
import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.manifest.MediaTypes;
import dev.fleetmirror.core.name.Reference;
import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.name.Tag;
import dev.fleetmirror.core.registry.Registry;
import dev.fleetmirror.core.registry.RegistrySettings;
import dev.fleetmirror.core.registry.StoredManifest;
import dev.fleetmirror.core.registry.UploadSession;
import dev.fleetmirror.core.storage.FilesystemDriver;
import dev.fleetmirror.core.storage.StoragePaths;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two members serving one storage directory, each through {@link IndexedManifests} over its view
 * of the {@link ManifestIndex}: what one writes, the other serves at once; what one read, neither
 * reads from storage again.
 */
abstract class IndexedManifestsContract {
    @TempDir
    Path root;

    /** Member {@code index}'s view of the index (0 or 1). */
    abstract ManifestIndex index(int member);

    /** As {@link #index(int)}, with generations that end after {@code ttl}. */
    abstract ManifestIndex index(int member, Duration ttl);

    final RepositoryName repo = new RepositoryName("team/app-" + UUID.randomUUID().toString().substring(0, 8));
    final Tag tag = new Tag("latest");
    final WatchedStorage[] storage = new WatchedStorage[2];
    final Registry[] stored = new Registry[2];
    final IndexedManifests[] members = new IndexedManifests[2];

    @BeforeEach
    void startMembers() {
        startMembers(this::index);
    }

    void startMembers(java.util.function.IntFunction<ManifestIndex> indexes) {
        for (int i = 0; i < 2; i++) {
            storage[i] = new WatchedStorage(new FilesystemDriver(root));
            stored[i] = StoredRegistry.create(storage[i], RegistrySettings.defaults());
            members[i] = new IndexedManifests(stored[i].manifests(), indexes.apply(i));
        }
    }

    @Test
    void tagPushedOnOneMemberIsServedByTheOtherAtOnce() {
        assertThat(members[1].get(repo, tag)).as("not there yet").isEmpty();

        Digest pushed = push(0, 1);

        assertThat(digestOf(members[1].get(repo, tag))).contains(pushed);
    }

    @Test
    void movedTagIsServedByTheOtherMemberAtOnce() {
        Digest first = push(0, 1);
        assertThat(digestOf(members[1].get(repo, tag))).contains(first);
        assertThat(digestOf(members[1].get(repo, tag))).contains(first);

        Digest second = push(0, 2);

        assertThat(digestOf(members[1].get(repo, tag))).contains(second);
        assertThat(digestOf(members[0].get(repo, tag))).contains(second);
    }

    @Test
    void deletedManifestDisappearsOnTheOtherMember() {
        Digest pushed = push(0, 1);
        assertThat(members[1].get(repo, tag)).isPresent();
        assertThat(members[1].get(repo, Reference.of(pushed))).isPresent();

        members[0].delete(repo, Reference.of(pushed));

        assertThat(members[1].get(repo, Reference.of(pushed))).isEmpty();
        assertThat(members[1].get(repo, tag)).as("its tag went with it").isEmpty();
    }

    @Test
    void deletedTagDisappearsOnTheOtherMemberAndItsManifestStays() {
        Digest pushed = push(0, 1);
        assertThat(members[1].get(repo, tag)).isPresent();

        members[0].delete(repo, tag);

        assertThat(members[1].get(repo, tag)).isEmpty();
        assertThat(digestOf(members[1].get(repo, Reference.of(pushed)))).contains(pushed);
    }

    @Test
    void repeatedReadsOnAMemberTouchNoStorage() {
        Digest pushed = push(0, 1);
        byte[] content = members[1].get(repo, tag).orElseThrow().content();
        int afterFirstRead = storage[1].reads();

        for (int i = 0; i < 50; i++) {
            assertThat(members[1].get(repo, tag).orElseThrow().content()).isEqualTo(content);
            assertThat(digestOf(members[1].get(repo, Reference.of(pushed)))).contains(pushed);
        }

        assertThat(storage[1].reads()).isEqualTo(afterFirstRead);
    }

    @Test
    void aMemberReadsWhatAnotherLearntWithoutReadingTheTagLink() {
        push(0, 1);
        members[0].get(repo, tag);

        assertThat(members[1].get(repo, tag)).isPresent();

        assertThat(storage[1].readPaths()).as("the index told member 1 where the tag points")
                .doesNotContain(StoragePaths.tagCurrentLink(repo, tag));
    }

    @Test
    void aReadRacingAWriteDoesNotBringBackWhatTheWriteReplaced() throws Exception {
        Digest first = push(0, 1);
        CountDownLatch read = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        storage[1].holdNextRead(StoragePaths.tagCurrentLink(repo, tag), read, release);
        CompletableFuture<Optional<StoredManifest>> racing = CompletableFuture.supplyAsync(() -> members[1].get(repo, tag));
        assertThat(read.await(10, TimeUnit.SECONDS)).isTrue();

        Digest second = push(0, 2);
        release.countDown();

        assertThat(digestOf(racing.get(10, TimeUnit.SECONDS))).as("the racing read saw the tag before the push")
                .contains(first);
        assertThat(digestOf(members[1].get(repo, tag))).contains(second);
    }

    @Test
    void absenceIsNeverRemembered() {
        assertThat(members[1].get(repo, tag)).isEmpty();
        assertThat(members[1].get(repo, tag)).isEmpty();

        Digest written = putBehindTheIndex(1);

        assertThat(digestOf(members[1].get(repo, tag))).contains(written);
    }

    @Test
    void writeThatBypassedTheIndexIsServedOnceTheGenerationEnds() throws Exception {
        startMembers(member -> index(member, Duration.ofMillis(500)));
        Digest first = push(0, 1);
        assertThat(digestOf(members[1].get(repo, tag))).contains(first);

        Digest second = putBehindTheIndex(2);
        assertThat(digestOf(members[1].get(repo, tag))).as("the index has not heard of the write").contains(first);

        // Hazelcast ends entries up to a second after their TTL (it keeps expiry in whole seconds).
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(digestOf(members[1].get(repo, tag))).contains(second));
    }

    /** Pushes an image (a config blob and a manifest) to the tag through member {@code member}. */
    Digest push(int member, int seed) {
        byte[] config = ("{\"seed\":" + seed + ",\"repo\":\"" + repo + "\"}").getBytes(StandardCharsets.UTF_8);
        Digest configDigest = Digest.sha256(config);
        try (UploadSession upload = stored[member].uploads().start(repo)) {
            upload.write(config, 0, config.length);
            upload.complete(configDigest);
        }
        return members[member].put(repo, tag, MediaTypes.OCI_MANIFEST, manifest(configDigest, config.length)).digest();
    }

    /** Points the tag at a new manifest through storage alone, as another registry on the bucket would. */
    Digest putBehindTheIndex(int seed) {
        byte[] config = ("{\"behind\":" + seed + "}").getBytes(StandardCharsets.UTF_8);
        return stored[0].manifests().putFetched(repo, tag, MediaTypes.OCI_MANIFEST,
                manifest(Digest.sha256(config), config.length)).digest();
    }

    static byte[] manifest(Digest config, int configSize) {
        return ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":{\"mediaType\":\""
                + MediaTypes.OCI_CONFIG + "\",\"digest\":\"" + config + "\",\"size\":" + configSize + "},\"layers\":[]}")
                .getBytes(StandardCharsets.UTF_8);
    }

    static Optional<Digest> digestOf(Optional<StoredManifest> manifest) {
        return manifest.map(StoredManifest::digest);
    }
}
