package dev.fleetmirror.coordination.blob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fleetmirror.coordination.SharedCaches;
import dev.fleetmirror.coordination.testing.WatchedStorage;
import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.registry.BlobDescriptor;
import dev.fleetmirror.core.registry.RegistrySettings;
import dev.fleetmirror.core.registry.stored.StoredRegistry;
import dev.fleetmirror.core.storage.FilesystemDriver;
import dev.fleetmirror.core.storage.StoragePaths;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One member's {@link IndexedBlobs} on a filesystem driver ({@link WatchedStorage}) whose first
 * read of a link the test holds back, to line stats up against each other and against a write:
 * concurrent misses of one blob wait for one storage lookup, and a stat that follows a write never
 * takes the answer of a lookup begun before it.
 */
class IndexedBlobsLookupTest {
    private static final int READERS = 12;
    private static final Set<Thread.State> PARKED_OR_DONE =
            EnumSet.of(Thread.State.WAITING, Thread.State.TIMED_WAITING, Thread.State.TERMINATED);

    @TempDir
    Path root;

    private final RepositoryName repo = RepositoryName.of("team/app");
    private final byte[] bytes = "a layer".getBytes(StandardCharsets.UTF_8);
    private final Digest digest = Digest.sha256(bytes);
    private WatchedStorage storage;
    private IndexedBlobs blobs;

    @BeforeEach
    void start() {
        storage = new WatchedStorage(new FilesystemDriver(root));
        blobs = new IndexedBlobs(StoredRegistry.create(storage, RegistrySettings.defaults()).blobs(),
                SharedCaches.standalone("member").blobIndex());
        storage.putContent(StoragePaths.blobData(digest), bytes);
    }

    @Test
    void concurrentMissesOfOneBlobMakeOneStorageLookup() throws Exception {
        blobs.linkStored(repo, digest);
        String link = StoragePaths.layerLink(repo, digest);
        CountDownLatch read = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        storage.holdNextRead(link, read, release);

        List<CompletableFuture<Optional<BlobDescriptor>>> stats = new ArrayList<>();
        List<Thread> readers = new ArrayList<>();
        for (int i = 0; i < READERS; i++) {
            CompletableFuture<Optional<BlobDescriptor>> stat = new CompletableFuture<>();
            Thread reader = new Thread(() -> stat.complete(blobs.stat(repo, digest)), "reader-" + i);
            stats.add(stat);
            readers.add(reader);
            reader.start();
        }
        assertThat(read.await(10, TimeUnit.SECONDS)).as("one reader reads the link").isTrue();
        // Every reader either holds the read or waits for it; one that read storage itself would end.
        await().atMost(Duration.ofSeconds(10)).until(() -> readers.stream()
                .allMatch(r -> PARKED_OR_DONE.contains(r.getState())));
        release.countDown();

        for (CompletableFuture<Optional<BlobDescriptor>> stat : stats) {
            assertThat(stat.get(10, TimeUnit.SECONDS)).contains(new BlobDescriptor(digest, bytes.length));
        }
        assertThat(storage.reads(link)).as("link reads of %d concurrent stats", READERS).isEqualTo(1);
    }

    @Test
    void aStatAfterAWriteDoesNotTakeTheAnswerOfALookupBegunBeforeIt() throws Exception {
        String link = StoragePaths.layerLink(repo, digest);
        CountDownLatch read = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        storage.holdNextRead(link, read, release);
        CompletableFuture<Optional<BlobDescriptor>> before = CompletableFuture.supplyAsync(() -> blobs.stat(repo, digest));
        assertThat(read.await(10, TimeUnit.SECONDS)).as("the first stat reads the link (absent)").isTrue();

        assertThat(blobs.linkStored(repo, digest)).isPresent();
        CompletableFuture<Optional<BlobDescriptor>> after = CompletableFuture.supplyAsync(() -> blobs.stat(repo, digest));
        assertThat(after.get(5, TimeUnit.SECONDS)).as("a stat after the link, while the earlier lookup is held")
                .contains(new BlobDescriptor(digest, bytes.length));

        release.countDown();
        assertThat(before.get(10, TimeUnit.SECONDS)).as("the lookup that read before the link").isEmpty();
        assertThat(blobs.stat(repo, digest)).as("the earlier lookup's answer is not what the index serves")
                .contains(new BlobDescriptor(digest, bytes.length));
    }
}
