package dev.fleetmirror.node.gc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.manifest.MediaTypes;
import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.name.Tag;
import dev.fleetmirror.core.registry.Registry;
import dev.fleetmirror.core.registry.RegistrySettings;
import dev.fleetmirror.core.registry.UploadSession;
import dev.fleetmirror.core.registry.stored.StoredRegistry;
import dev.fleetmirror.core.storage.StoragePaths;
import dev.fleetmirror.core.storage.FilesystemDriver;
import dev.fleetmirror.gc.expiry.LastPulls;
import dev.fleetmirror.node.cli.GcCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The offline {@code fleetmirror gc} runs the live node's collection run (gc-job's
 * {@code CollectionRun}), TTL expiry included: on filesystem storage, a cached manifest of a
 * mirrored repository not pulled within {@code proxy.ttl} is unlinked and its blobs then collected,
 * while one pulled within the TTL and a hosted repository's manifest as old stay whole; a dry run
 * says what would expire and changes nothing.
 */
class OfflineGcExpiryTest {
    private static final RepositoryName MIRRORED = RepositoryName.of("hub/app");
    private static final RepositoryName HOSTED = RepositoryName.of("team/app");

    @TempDir
    Path work;

    private Path storage;
    private Path config;
    private Image expired;
    private Image pulled;
    private Image hosted;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    /** A stored image: its manifest and the blobs only it references. */
    private record Image(RepositoryName repo, String tag, Digest manifest, List<Digest> blobs) {
    }

    @BeforeEach
    void storeImages() throws Exception {
        storage = work.resolve("storage");
        // The upstream is never called: expiry only needs to know which names it mirrors.
        config = Files.writeString(work.resolve("config.yml"), """
                version: 0.1
                storage:
                  filesystem:
                    rootdirectory: %s
                upstreams:
                  - name: hub
                    url: http://127.0.0.1:9
                    prefix: hub/
                proxy:
                  ttl: 1h
                """.formatted(storage));
        try (FilesystemDriver driver = new FilesystemDriver(storage)) {
            Registry registry = StoredRegistry.create(driver, RegistrySettings.defaults());
            expired = store(registry, MIRRORED, "old", "expired");
            pulled = store(registry, MIRRORED, "recent", "pulled");
            hosted = store(registry, HOSTED, "v1", "hosted");
            LastPulls pulls = new LastPulls(driver);
            pulls.write(MIRRORED, expired.manifest(), Instant.now().minus(Duration.ofHours(2)));
            pulls.write(MIRRORED, pulled.manifest(), Instant.now().minus(Duration.ofMinutes(10)));
        }
        // The hosted manifest is as old as the expired one: only mirrored content expires.
        Files.setLastModifiedTime(file(StoragePaths.revisionLink(HOSTED, hosted.manifest())),
                java.nio.file.attribute.FileTime.from(Instant.now().minus(Duration.ofDays(30))));
    }

    @Test
    void anOfflineCollectionExpiresCachedContentPerTheConfigsTtlAndCollectsWhatItLeaves() {
        assertThat(gc("--grace", "0")).as(err.toString()).isZero();

        assertThat(out.toString()).contains("expiry: 1 mirrored repositories, 1 manifests and 1 tags unlinked");
        assertThat(Files.exists(file(StoragePaths.revisionLink(MIRRORED, expired.manifest())))).isFalse();
        assertThat(Files.exists(file(StoragePaths.tagDir(MIRRORED, Tag.of("old"))))).isFalse();
        assertThat(Files.exists(file(StoragePaths.blobData(expired.manifest())))).as("the expired manifest, swept").isFalse();
        for (Digest blob : expired.blobs()) {
            assertThat(Files.exists(file(StoragePaths.blobData(blob)))).as("a blob only the expired manifest had").isFalse();
        }
        for (Image kept : List.of(pulled, hosted)) {
            assertIntact(kept);
        }
    }

    @Test
    void aDryRunSaysWhatWouldExpireAndChangesNothing() {
        assertThat(gc("--grace", "0", "--dry-run")).as(err.toString()).isZero();

        assertThat(out.toString()).contains("expiry, dry run: 1 mirrored repositories, 1 manifests and 1 tags would be unlinked");
        for (Image kept : List.of(expired, pulled, hosted)) {
            assertIntact(kept);
        }
    }

    private void assertIntact(Image image) {
        assertThat(Files.exists(file(StoragePaths.revisionLink(image.repo(), image.manifest())))).as(image.toString()).isTrue();
        assertThat(Files.exists(file(StoragePaths.tagCurrentLink(image.repo(), Tag.of(image.tag()))))).isTrue();
        assertThat(Files.exists(file(StoragePaths.blobData(image.manifest())))).isTrue();
        for (Digest blob : image.blobs()) {
            assertThat(Files.exists(file(StoragePaths.blobData(blob)))).as(blob.toString()).isTrue();
        }
    }

    private int gc(String... args) {
        CommandLine command = new CommandLine(new GcCommand());
        command.setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
        String[] all = java.util.Arrays.copyOf(args, args.length + 1);
        all[args.length] = config.toString();
        return command.execute(all);
    }

    private Path file(String storagePath) {
        return storage.resolve(storagePath.substring(1));
    }

    /** Stores an image as the cache does: its blobs through uploads, its manifest as fetched. */
    private static Image store(Registry registry, RepositoryName repo, String tag, String seed) {
        Digest config = blob(registry, repo, "{\"config\":\"" + seed + "\"}");
        Digest layer = blob(registry, repo, "layer of " + seed);
        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\","
                + "\"config\":{\"mediaType\":\"" + MediaTypes.OCI_CONFIG + "\",\"digest\":\"" + config + "\",\"size\":1},"
                + "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"" + layer
                + "\",\"size\":1}]}";
        Digest digest = registry.manifests().putFetched(repo, Tag.of(tag), MediaTypes.OCI_MANIFEST,
                manifest.getBytes(StandardCharsets.UTF_8)).digest();
        return new Image(repo, tag, digest, List.of(config, layer));
    }

    private static Digest blob(Registry registry, RepositoryName repo, String content) {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        Digest digest = Digest.sha256(bytes);
        try (UploadSession session = registry.uploads().start(repo)) {
            session.write(bytes, 0, bytes.length);
            session.complete(digest);
        }
        return digest;
    }
}
