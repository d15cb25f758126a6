package dev.fleetmirror.core.properties;

import dev.fleetmirror.core.registry.stored.StoredRegistry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.error.ErrorCode;
import dev.fleetmirror.core.registry.Registry;
import dev.fleetmirror.core.error.RegistryException;
import dev.fleetmirror.core.registry.RegistrySettings;
import dev.fleetmirror.core.storage.FilesystemDriver;
import dev.fleetmirror.core.testing.SeededCases;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Upload ids come from URLs and become path components: on a real filesystem, any id that is not
 * one the registry issued is BLOB_UPLOAD_UNKNOWN, and resuming or cancelling it touches nothing,
 * inside the storage root or beside it. The ids are drawn from a fixed seed ({@link SeededCases}),
 * beside the traversal attempts written out.
 */
class UploadIdPropertiesTest {
    private static Path sandbox;
    private static Path root;
    private static Registry registry;

    @BeforeAll
    static void storage() throws IOException {
        sandbox = Files.createTempDirectory("upload-id-properties");
        root = Files.createDirectories(sandbox.resolve("root"));
        Files.writeString(sandbox.resolve("outside"), "keep");
        registry = StoredRegistry.create(new FilesystemDriver(root), new RegistrySettings(true));
        registry.uploads().start(RepositoryName.of("team/app")).close();
    }

    @AfterAll
    static void cleanUp() throws IOException {
        try (Stream<Path> files = Files.walk(sandbox)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    static Stream<Arguments> ids() {
        return SeededCases.of(0x75706c6fL, 300, draw -> draw.oneOf(() -> Inputs.anyText(draw),
                () -> draw.text(Inputs.HEX + "-", 36, 36)));
    }

    @ParameterizedTest
    @MethodSource("ids")
    @ValueSource(strings = {"../../../../outside", "..", ".", "../_layers", "%2e%2e", "/etc/passwd", "..\\..",
        "00000000-0000-0000-0000-000000000000/../..", "../../../../../../../../../outside", ""})
    void unknownUploadIdsAreUnknownAndTouchNothing(String id) {
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
