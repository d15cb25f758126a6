package dev.fleetmirror.core.properties;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.digest.DigestAlgorithm;
import dev.fleetmirror.core.digest.InvalidDigestException;
import dev.fleetmirror.core.name.InvalidNameException;
import dev.fleetmirror.core.name.Reference;
import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.name.Tag;
import dev.fleetmirror.core.storage.InvalidPathException;
import dev.fleetmirror.core.storage.StoragePath;
import dev.fleetmirror.core.storage.StoragePaths;
import dev.fleetmirror.core.testing.Draw;
import dev.fleetmirror.core.testing.SeededCases;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Digests, repository names, tags and references parse any input into a valid value or the
 * documented invalid-input exception, nothing else; and every storage path built from valid values
 * stays under the storage root, whatever the input looked like. The cases are drawn from fixed
 * seeds ({@link SeededCases}), beside explicit ones at the edges of each grammar.
 */
class NameAndDigestPropertiesTest {
    private static final Path ROOT = Path.of("/srv/registry");

    static Stream<Arguments> text() {
        return SeededCases.of(0x6e616d65L, 400, Inputs::anyText);
    }

    /**
     * Strings near the digest grammar: an algorithm-ish prefix, a colon, hex-ish text; one in four
     * is a valid digest, so that what a valid one leads to is checked too.
     */
    static String digestLike(Draw draw) {
        if (draw.oneIn(4)) {
            return draw.oneIn(2) ? "sha256:" + draw.text(Inputs.HEX, 64, 64) : "sha512:" + draw.text(Inputs.HEX, 128, 128);
        }
        String prefix = draw.oneOf(() -> draw.pick("sha256", "sha512", "SHA256", "sha384", "", "sha256+b64", "..", "sha256/.."),
                () -> Inputs.nastyText(draw, 8));
        String hex = draw.oneOf(() -> draw.text(Inputs.HEX, 64, 64),
                () -> draw.text(Inputs.HEX, 128, 128),
                () -> draw.text(Inputs.HEX + "ABCDEF./%", 60, 130),
                () -> Inputs.fragments(draw));
        return prefix + draw.pick(":", "", "::", "/") + hex;
    }

    /** Names built from components that are valid, almost valid, or traversal attempts. */
    static String nameLike(Draw draw) {
        return String.join("/", draw.list(1, 8, () -> draw.oneOf(
                () -> draw.text("abcz09", 1, 10),
                () -> draw.pick("..", ".", "", "a..b", "a.b", "a__b", "a___b", "a--b", "_uploads", "-a", "a-", "%2e%2e", "A",
                        "a\\b", "a b", "\u00e9"),
                () -> Inputs.nastyText(draw, 5))));
    }

    static Stream<Arguments> digestLike() {
        return SeededCases.of(0x64696765L, 400, NameAndDigestPropertiesTest::digestLike);
    }

    @ParameterizedTest
    @MethodSource("digestLike")
    @ValueSource(strings = {"sha256:", "sha256:0", ":", "", "sha256::0000000000000000000000000000000000000000000000000000000000000000",
        "SHA256:0000000000000000000000000000000000000000000000000000000000000000",
        "sha256:000000000000000000000000000000000000000000000000000000000000000A",
        "sha256:00000000000000000000000000000000000000000000000000000000000000000",
        "sha256/../0000000000000000000000000000000000000000000000000000000000000000"})
    void digestParsingYieldsAValidDigestOrInvalidDigestException(String digest) {
        checkDigest(digest);
    }

    @ParameterizedTest
    @MethodSource("text")
    void digestParsingOfAnyTextYieldsAValidDigestOrInvalidDigestException(String digest) {
        checkDigest(digest);
    }

    private static void checkDigest(String input) {
        Digest digest;
        try {
            digest = Digest.parse(input);
        } catch (InvalidDigestException e) {
            assertThat(Digest.isDigest(input)).isFalse();
            return;
        }
        assertThat(digest.toString()).isEqualTo(input);
        assertThat(Digest.isDigest(input)).isTrue();
        assertUnderRoot(StoragePaths.blobData(digest), StoragePaths.BLOBS);
    }

    static Stream<Arguments> algorithmsAndContent() {
        return SeededCases.tuples(0x726f756eL, 200, draw -> List.of(draw.pick(DigestAlgorithm.values()), draw.bytes(300)));
    }

    @ParameterizedTest
    @MethodSource("algorithmsAndContent")
    void validDigestsRoundTrip(DigestAlgorithm algorithm, byte[] content) {
        Digest digest = Digest.compute(algorithm, content);
        assertThat(Digest.parse(digest.toString())).isEqualTo(digest);
    }

    @ParameterizedTest
    @EnumSource(DigestAlgorithm.class)
    void theDigestOfNothingRoundTrips(DigestAlgorithm algorithm) {
        validDigestsRoundTrip(algorithm, new byte[0]);
    }

    static Stream<Arguments> nameLike() {
        return SeededCases.of(0x7265706fL, 400, NameAndDigestPropertiesTest::nameLike);
    }

    @ParameterizedTest
    @MethodSource("nameLike")
    @ValueSource(strings = {"..", "a/..", "../a", "a/./b", "a//b", "/a", "a/", "_uploads", "a/_layers", "%2e%2e/a", "a\\..\\b",
        "\uff0e\uff0e/a", "a/b\u0000", "a___b", "a--b"})
    void nameParsingYieldsANameThatStaysUnderTheRootOrInvalidNameException(String name) {
        checkName(name);
    }

    @ParameterizedTest
    @MethodSource("text")
    void nameParsingOfAnyTextYieldsANameOrInvalidNameException(String name) {
        checkName(name);
    }

    private static void checkName(String input) {
        RepositoryName name;
        try {
            name = RepositoryName.of(input);
        } catch (InvalidNameException e) {
            assertThat(RepositoryName.isValid(input)).isFalse();
            return;
        }
        assertThat(RepositoryName.isValid(input)).isTrue();
        assertThat(name.components()).allSatisfy(c -> assertThat(c).isNotEmpty().isNotIn(".", "..").doesNotStartWith("_"));
        String repository = StoragePaths.repository(name);
        assertUnderRoot(repository, StoragePaths.REPOSITORIES);
        assertThat(ROOT.resolve(repository.substring(1)).normalize())
                .isEqualTo(ROOT.resolve("docker/registry/v2/repositories").resolve(input));
        Digest any = Digest.sha256(input.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        for (String path : List.of(StoragePaths.layerLink(name, any), StoragePaths.revisionLink(name, any),
                StoragePaths.tagCurrentLink(name, Tag.of("latest")), StoragePaths.uploadsDir(name),
                StoragePaths.referrerEntry(name, any, any), StoragePaths.lastPull(name, any))) {
            assertUnderRoot(path, path.startsWith(StoragePaths.FLEETMIRROR) ? StoragePaths.FLEETMIRROR : StoragePaths.REPOSITORIES);
        }
    }

    @ParameterizedTest
    @MethodSource("text")
    @ValueSource(strings = {"", ".", "..", "-latest", "sha256:", "latest\n", "_", "A.b-C_9"})
    void tagAndReferenceParsingYieldsAValueOrTheDocumentedException(String input) {
        try {
            Tag tag = Tag.of(input);
            assertThat(Tag.isValid(input)).isTrue();
            assertUnderRoot(StoragePaths.tagCurrentLink(RepositoryName.of("a/b"), tag), StoragePaths.REPOSITORIES + "/a/b/_manifests/tags");
        } catch (InvalidNameException e) {
            assertThat(Tag.isValid(input)).isFalse();
        }
        try {
            Reference reference = Reference.parse(input);
            assertThat(reference.toString()).isEqualTo(input);
        } catch (InvalidNameException | InvalidDigestException e) {
            assertThat(Tag.isValid(input) || Digest.isDigest(input)).isFalse();
        }
    }

    /** Any path a driver accepts resolves under its root: no component can climb out. */
    @ParameterizedTest
    @MethodSource("pathLike")
    @ValueSource(strings = {"/", "", "a", "/..", "/a/../..", "/a/./b", "//a", "/a//b", "/a/", "/a\\..", "/%2e%2e", "/a/\u0000",
        "/\uff0e\uff0e"})
    void storagePathValidationKeepsEveryAcceptedPathUnderTheRoot(String path) {
        String valid;
        try {
            valid = StoragePath.requireValid(path);
        } catch (InvalidPathException e) {
            return;
        }
        Path resolved = ROOT.resolve(valid.substring(1)).normalize();
        assertThat(resolved.startsWith(ROOT)).as(path).isTrue();
        for (Path component : ROOT.resolve(valid.substring(1))) {
            assertThat(component.toString()).as("a component the filesystem would climb with, in " + path).isNotIn(".", "..");
        }
    }

    static Stream<Arguments> pathLike() {
        return SeededCases.of(0x70617468L, 500, draw -> draw.oneOf(() -> Inputs.anyText(draw),
                () -> "/" + Inputs.fragments(draw), () -> "/" + nameLike(draw)));
    }

    private static void assertUnderRoot(String storagePath, String under) {
        assertThat(StoragePath.requireValid(storagePath)).startsWith(under + "/");
        Path resolved = ROOT.resolve(storagePath.substring(1)).normalize();
        assertThat(resolved.startsWith(ROOT.resolve(under.substring(1)))).as(storagePath).isTrue();
        assertThat(resolved.toString()).isEqualTo(ROOT + storagePath);
    }
}
