package dev.fleetmirror.node.cli;

import dev.fleetmirror.core.registry.stored.StoredRegistry;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.manifest.MediaTypes;
import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.name.Tag;
import dev.fleetmirror.core.registry.Registry;
import dev.fleetmirror.core.registry.RegistrySettings;
import dev.fleetmirror.core.registry.UploadSession;
import dev.fleetmirror.core.storage.FilesystemDriver;
import dev.fleetmirror.core.storage.StoragePaths;
import dev.fleetmirror.gc.ClusterStateSnapshot;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code fleetmirror gc} on a filesystem storage: Distribution's dry-run words, the live-cluster guard, the deletion. */
class GcCommandTest {
    @TempDir
    Path work;

    private Path storage;
    private Path config;
    private FilesystemDriver driver;
    private Digest kept;
    private Digest garbage;
    private Digest fresh;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void storeContent() throws Exception {
        storage = work.resolve("storage");
        config = Files.writeString(work.resolve("config.yml"), """
                version: 0.1
                storage:
                  filesystem:
                    rootdirectory: %s
                """.formatted(storage));
        driver = new FilesystemDriver(storage);
        Registry registry = StoredRegistry.create(driver, new RegistrySettings(true));
        RepositoryName repo = RepositoryName.of("team/app");
        kept = blob(registry, repo, "{\"config\":1}");
        garbage = blob(registry, repo, "left over from a deleted image");
        fresh = blob(registry, repo, "just uploaded");
        Files.setLastModifiedTime(root(garbage), java.nio.file.attribute.FileTime.from(Instant.now().minus(Duration.ofHours(2))));
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":{\"mediaType\":\""
                + MediaTypes.OCI_CONFIG + "\",\"digest\":\"" + kept + "\",\"size\":12},\"layers\":[]}").getBytes(StandardCharsets.UTF_8);
        registry.manifests().put(repo, Tag.of("v1"), MediaTypes.OCI_MANIFEST, manifest);
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

    private Path root(Digest blob) {
        return storage.resolve(StoragePaths.blobData(blob).substring(1));
    }

    private int gc(String... args) {
        CommandLine commandLine = new CommandLine(new GcCommand(Map.of()));
        commandLine.setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
        String[] all = new String[args.length + 1];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = config.toString();
        return commandLine.execute(all);
    }

    @Test
    void dryRunSpeaksDistributionsWordsForWhatItWouldDeleteOnlyAndDeletesNothing() {
        assertThat(gc("--dry-run")).as(err.toString()).isZero();
        assertThat(out.toString()).contains("blob eligible for deletion: " + garbage)
                .contains("blob spared by the grace window: " + fresh)
                .doesNotContain("blob eligible for deletion: " + fresh)
                .doesNotContain("blob eligible for deletion: " + kept)
                .contains("dry run:");
        assertThat(root(garbage)).exists();

        assertThat(gc("--dry-run", "--grace", "0")).isZero();
        assertThat(out.toString()).contains("blob eligible for deletion: " + fresh);
    }

    @Test
    void refusesToDeleteUnderALiveClusterThatIsNotReadOnly() {
        new ClusterStateSnapshot("prod", "READ_WRITE", Instant.now()).write(driver);
        assertThat(gc("--grace", "0")).isEqualTo(3);
        assertThat(err.toString()).contains("cluster 'prod'", "READ_WRITE", "fleetmirror mode read-only");
        assertThat(root(garbage)).exists();
        assertThat(root(fresh)).exists();

        new ClusterStateSnapshot("prod", "READ_ONLY", Instant.now()).write(driver);
        assertThat(gc("--grace", "0")).as(err.toString()).isZero();
        assertThat(root(garbage)).doesNotExist();
        assertThat(root(fresh)).doesNotExist();
        assertThat(root(kept)).exists();
    }

    @Test
    void aSnapshotLeftByAStoppedClusterDoesNotBlock() {
        new ClusterStateSnapshot("prod", "READ_WRITE", Instant.now().minus(Duration.ofMinutes(5))).write(driver);
        assertThat(gc()).as(err.toString()).isZero();
        assertThat(root(garbage)).doesNotExist();
        assertThat(root(fresh)).as("inside the default grace window of 1h").exists();
        assertThat(out.toString()).contains("collected:");
    }

    @Test
    void aBadGraceNamesTheOption() {
        assertThat(gc("--grace", "soon")).isEqualTo(2);
        assertThat(err.toString()).contains("--grace");
    }
}
