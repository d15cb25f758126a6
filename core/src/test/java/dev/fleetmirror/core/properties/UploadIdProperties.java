package dev.fleetmirror.core.properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.registry.ErrorCode;
import dev.fleetmirror.core.registry.Registry;
import dev.fleetmirror.core.registry.RegistryException;
import dev.fleetmirror.core.registry.RegistrySettings;
import dev.fleetmirror.core.storage.FilesystemDriver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Upload ids come from URLs and become path components: on a real filesystem, any id that is not
 * one the registry issued is BLOB_UPLOAD_UNKNOWN, and resuming or cancelling it touches nothing,
 * inside the storage root or beside it.
 */
class UploadIdProperties {
    private static Path sandbox;
    private static Path root;
    private static Registry registry;

    @BeforeContainer
    static void storage() throws IOException {
        sandbox = Files.createTempDirectory("upload-id-properties");
        root = Files.createDirectories(sandbox.resolve("root"));
        Files.writeString(sandbox.resolve("outside"), "keep");
        registry = Registry.onStorage(new FilesystemDriver(root), new RegistrySettings(true));
        registry.uploads().start(RepositoryName.of("team/app")).close();
    }

    @AfterContainer
    static void cleanUp() throws IOException {
        try (Stream<Path> files = Files.walk(sandbox)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Provide
    Arbitrary<String> ids() {
        return Arbitraries.oneOf(Inputs.anyText(),
                Arbitraries.of("../../../../outside", "..", ".", "../_layers", "%2e%2e", "/etc/passwd", "..\\..",
                        "00000000-0000-0000-0000-000000000000/../..", "../../../../../../../../../outside"),
                Arbitraries.strings().withChars(Inputs.HEX + "-").ofLength(36));
    }

    @Property(tries = 300)
    void unknownUploadIdsAreUnknownAndTouchNothing(@ForAll("ids") String id) {
        List<String> before = tree();
        RepositoryName repo = RepositoryName.of("team/app");

        assertThatThrownBy(() -> registry.uploads().resume(repo, id).close())
                .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BLOB_UPLOAD_UNKNOWN));
        assertThatThrownBy(() -> registry.uploads().cancel(repo, id))
                .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BLOB_UPLOAD_UNKNOWN));

        assertThat(tree()).isEqualTo(before);
    }

    private static List<String> tree() {
        try (Stream<Path> files = Files.walk(sandbox)) {
            return files.map(p -> sandbox.relativize(p) + (Files.isDirectory(p) ? "/" : ":" + size(p))).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
