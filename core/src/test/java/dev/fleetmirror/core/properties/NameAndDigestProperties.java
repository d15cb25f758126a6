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
import java.nio.file.Path;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Digests, repository names, tags and references parse any input into a valid value or the
 * documented invalid-input exception, nothing else; and every storage path built from valid values
 * stays under the storage root, whatever the input looked like.
 */
class NameAndDigestProperties {
    private static final Path ROOT = Path.of("/srv/registry");

    @Provide
    Arbitrary<String> text() {
        return Inputs.anyText();
    }

    /** Strings near the digest grammar: an algorithm-ish prefix, a colon, hex-ish text. */
    @Provide
    Arbitrary<String> digestLike() {
        Arbitrary<String> prefix = Arbitraries.oneOf(Arbitraries.of("sha256", "sha512", "SHA256", "sha384", "", "sha256+b64",
                "..", "sha256/.."), Inputs.nastyText(8));
        Arbitrary<String> hex = Arbitraries.oneOf(Arbitraries.strings().withChars(Inputs.HEX).ofLength(64),
                Arbitraries.strings().withChars(Inputs.HEX).ofLength(128),
                Arbitraries.strings().withChars(Inputs.HEX + "ABCDEF./%").ofMinLength(60).ofMaxLength(130),
                Inputs.fragments());
        return net.jqwik.api.Combinators.combine(prefix, Arbitraries.of(":", "", "::", "/"), hex).as((p, c, h) -> p + c + h);
    }

    /** Names built from components that are valid, almost valid, or traversal attempts. */
    @Provide
    Arbitrary<String> nameLike() {
        Arbitrary<String> component = Arbitraries.oneOf(
                Arbitraries.strings().withChars("abcz09").ofMinLength(1).ofMaxLength(10),
                Arbitraries.of("..", ".", "", "a..b", "a.b", "a__b", "a___b", "a--b", "_uploads", "-a", "a-", "%2e%2e", "A",
                        "a\\b", "a b", "\u00e9"),
                Inputs.nastyText(5));
        return component.list().ofMinSize(1).ofMaxSize(8).map(parts -> String.join("/", parts));
    }

    @Property(tries = 400)
    void digestParsingYieldsAValidDigestOrInvalidDigestException(@ForAll("digestLike") String digest) {
        checkDigest(digest);
    }

    @Property(tries = 300)
    void digestParsingOfAnyTextYieldsAValidDigestOrInvalidDigestException(@ForAll("text") String digest) {
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

    @Property(tries = 200)
    void validDigestsRoundTrip(@ForAll("algorithms") DigestAlgorithm algorithm, @ForAll byte[] content) {
        Digest digest = Digest.compute(algorithm, content);
        assertThat(Digest.parse(digest.toString())).isEqualTo(digest);
    }

    @Provide
    Arbitrary<DigestAlgorithm> algorithms() {
        return Arbitraries.of(DigestAlgorithm.class);
    }

    @Property(tries = 400)
    void nameParsingYieldsANameThatStaysUnderTheRootOrInvalidNameException(@ForAll("nameLike") String name) {
        checkName(name);
    }

    @Property(tries = 300)
    void nameParsingOfAnyTextYieldsANameOrInvalidNameException(@ForAll("text") String name) {
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

    @Property(tries = 400)
    void tagAndReferenceParsingYieldsAValueOrTheDocumentedException(@ForAll("text") String input) {
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
    @Property(tries = 500)
    void storagePathValidationKeepsEveryAcceptedPathUnderTheRoot(@ForAll("pathLike") String path) {
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

    @Provide
    Arbitrary<String> pathLike() {
        return Arbitraries.oneOf(Inputs.anyText(), Inputs.fragments().map(s -> "/" + s),
                nameLike().map(s -> "/" + s));
    }

    private static void assertUnderRoot(String storagePath, String under) {
        assertThat(StoragePath.requireValid(storagePath)).startsWith(under + "/");
        Path resolved = ROOT.resolve(storagePath.substring(1)).normalize();
        assertThat(resolved.startsWith(ROOT.resolve(under.substring(1)))).as(storagePath).isTrue();
        assertThat(resolved.toString()).isEqualTo(ROOT + storagePath);
    }
}
