package dev.fleetmirror.core.registry.stored;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.digest.DigestAlgorithm;
import dev.fleetmirror.core.manifest.ManifestParser;
import dev.fleetmirror.core.manifest.MediaTypes;
import dev.fleetmirror.core.name.Reference;
import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.name.Tag;
import dev.fleetmirror.core.error.ErrorCode;
import dev.fleetmirror.core.registry.ManifestPutResult;
import dev.fleetmirror.core.error.RegistryException;
import dev.fleetmirror.core.registry.StoredManifest;
import dev.fleetmirror.core.storage.StoragePaths;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class StoredManifestsTest extends RegistryFixture {
    static final RepositoryName REPO = RepositoryName.of("library/app");

    private Path file(String storagePath) {
        return root.resolve(storagePath.substring(1));
    }

    private static Consumer<RegistryException> code(ErrorCode code) {
        return e -> assertThat(e.code()).isEqualTo(code);
    }

    private ObjectNode pushedImage(String seed) {
        Digest config = push.blob(REPO, "{\"seed\":\"" + seed + "\"}");
        Digest layer = push.blob(REPO, "layer " + seed);
        return Pushes.imageManifest(config, layer);
    }

    @Test
    void manifestPutByTagIsReadableByTagAndByDigest() {
        ObjectNode manifest = pushedImage("a");
        byte[] body = Pushes.bytes(manifest);

        ManifestPutResult result = registry.manifests().put(REPO, Tag.of("v1"), MediaTypes.OCI_MANIFEST, body);

        assertThat(result).isEqualTo(new ManifestPutResult(Digest.sha256(body), Optional.empty()));
        StoredManifest byTag = registry.manifests().get(REPO, Tag.of("v1")).orElseThrow();
        StoredManifest byDigest = registry.manifests().get(REPO, Reference.of(result.digest())).orElseThrow();
        assertThat(byTag.content()).isEqualTo(body);
        assertThat(byDigest.content()).isEqualTo(body);
        assertThat(byDigest.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
        assertThat(registry.manifests().get(RepositoryName.of("other"), Reference.of(result.digest()))).isEmpty();
        assertThat(registry.manifests().get(REPO, Tag.of("v2"))).isEmpty();
    }

    @Test
    void retaggingMovesTheTagAndKeepsTheOldManifestByDigest() {
        Digest first = push.manifest(REPO, "latest", pushedImage("a"));
        Digest second = push.manifest(REPO, "latest", pushedImage("b"));

        assertThat(registry.manifests().get(REPO, Tag.of("latest")).orElseThrow().digest()).isEqualTo(second);
        assertThat(registry.manifests().get(REPO, Reference.of(first))).isPresent();
        assertThat(file(StoragePaths.tagIndexLink(REPO, Tag.of("latest"), first))).exists();
        assertThat(file(StoragePaths.tagIndexLink(REPO, Tag.of("latest"), second))).exists();
    }

    @Test
    void putByDigestNeedsTheBodyToHashToIt() {
        byte[] body = Pushes.bytes(pushedImage("a"));
        Digest wrong = Digest.sha256("other".getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> registry.manifests().put(REPO, Reference.of(wrong), MediaTypes.OCI_MANIFEST, body))
                .isInstanceOfSatisfying(RegistryException.class, code(ErrorCode.DIGEST_INVALID));

        assertThat(registry.manifests().get(REPO, Reference.of(Digest.sha256(body)))).isEmpty();
        assertThat(file(StoragePaths.blobData(Digest.sha256(body)))).doesNotExist();
    }

    @Test
    void putBySha512DigestStoresUnderThatDigest() {
        byte[] body = Pushes.bytes(pushedImage("a"));
        Digest sha512 = Digest.compute(DigestAlgorithm.SHA512, body);

        assertThat(registry.manifests().put(REPO, Reference.of(sha512), MediaTypes.OCI_MANIFEST, body).digest())
                .isEqualTo(sha512);
        assertThat(registry.manifests().get(REPO, Reference.of(sha512)).orElseThrow().content()).isEqualTo(body);
        assertThat(file(StoragePaths.revisionLink(REPO, sha512))).exists();
    }

    @Test
    void manifestReferencingABlobNotInTheRepositoryIsRefusedNamingTheDigest() {
        Digest config = push.blob(REPO, "{}");
        Digest elsewhere = push.blob(RepositoryName.of("other"), "layer elsewhere");
        byte[] body = Pushes.bytes(Pushes.imageManifest(config, elsewhere));

        assertThatThrownBy(() -> registry.manifests().put(REPO, Tag.of("v1"), MediaTypes.OCI_MANIFEST, body))
                .isInstanceOfSatisfying(RegistryException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.MANIFEST_BLOB_UNKNOWN);
                    assertThat(e.detail()).isEqualTo(Map.of("digest", elsewhere.toString()));
                    assertThat(e.getMessage()).contains(elsewhere.toString());
                });

        assertThat(registry.manifests().get(REPO, Tag.of("v1"))).isEmpty();
        assertThat(file(StoragePaths.blobData(Digest.sha256(body)))).doesNotExist();
        assertThat(file(StoragePaths.manifestsDir(REPO))).doesNotExist();
    }

    @Test
    void missingConfigIsRefusedToo() {
        Digest layer = push.blob(REPO, "layer");
        Digest missingConfig = Digest.sha256("{\"never\":\"pushed\"}".getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> push.manifest(REPO, "v1", Pushes.imageManifest(missingConfig, layer)))
                .isInstanceOfSatisfying(RegistryException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.MANIFEST_BLOB_UNKNOWN);
                    assertThat(e.detail()).isEqualTo(Map.of("digest", missingConfig.toString()));
                });
    }

    @Test
    void foreignLayersNeedNotBeStored() {
        ObjectNode manifest = pushedImage("a");
        ObjectNode foreign = Pushes.descriptor("application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
                Digest.sha256("windows base".getBytes(StandardCharsets.UTF_8)), 12);
        foreign.putArray("urls").add("https://example.com/base.tar.gz");
        manifest.withArray("layers").insert(0, foreign);

        assertThat(push.manifest(REPO, "win", manifest)).isNotNull();
    }

    @Test
    void indexReferencingAManifestNotInTheRepositoryIsRefused() {
        Digest child = push.manifest(REPO, pushedImage("a"));
        Digest absent = Digest.sha256("no such manifest".getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> push.manifest(REPO, "multi", Pushes.index(child, absent)))
                .isInstanceOfSatisfying(RegistryException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.MANIFEST_BLOB_UNKNOWN);
                    assertThat(e.detail()).isEqualTo(Map.of("digest", absent.toString()));
                });
        assertThat(registry.manifests().get(REPO, Tag.of("multi"))).isEmpty();
    }

    @Test
    void indexOfStoredManifestsIsAccepted() {
        Digest amd64 = push.manifest(REPO, pushedImage("amd64"));
        Digest arm64 = push.manifest(REPO, pushedImage("arm64"));

        Digest index = push.manifest(REPO, "multi", Pushes.index(amd64, arm64));

        StoredManifest stored = registry.manifests().get(REPO, Tag.of("multi")).orElseThrow();
        assertThat(stored.digest()).isEqualTo(index);
        assertThat(stored.mediaType()).isEqualTo(MediaTypes.OCI_INDEX);
    }

    @Test
    void blobThatIsOnlyAManifestDoesNotSatisfyAnIndexChild() {
        Digest onlyABlob = push.blob(REPO, Pushes.bytes(pushedImage("x")));

        assertThatThrownBy(() -> push.manifest(REPO, "multi", Pushes.index(onlyABlob)))
                .isInstanceOfSatisfying(RegistryException.class, code(ErrorCode.MANIFEST_BLOB_UNKNOWN));
    }

    @Test
    void subjectNeedNotExistAndIsReturned() {
        Digest subject = Digest.sha256("not pushed yet".getBytes(StandardCharsets.UTF_8));
        ObjectNode manifest = pushedImage("sig");
        manifest.set("subject", Pushes.descriptor(MediaTypes.OCI_MANIFEST, subject, 100));
        byte[] body = Pushes.bytes(manifest);

        ManifestPutResult result = registry.manifests().put(REPO, Reference.of(Digest.sha256(body)),
                MediaTypes.OCI_MANIFEST, body);

        assertThat(result.subject()).contains(subject);
        assertThat(file(StoragePaths.referrerEntry(REPO, subject, result.digest()))).exists();
    }

    @Test
    void invalidManifestIsRefusedAndNothingIsStored() {
        byte[] body = "{\"schemaVersion\":2,\"schemaVersion\":2}".getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> registry.manifests().put(REPO, Tag.of("v1"), MediaTypes.OCI_MANIFEST, body))
                .isInstanceOfSatisfying(RegistryException.class, code(ErrorCode.MANIFEST_INVALID));
        assertThat(file(StoragePaths.V2)).doesNotExist();
    }

    @Test
    void wrongContentTypeIsRefused() {
        byte[] body = Pushes.bytes(pushedImage("a"));

        assertThatThrownBy(() -> registry.manifests().put(REPO, Tag.of("v1"), MediaTypes.DOCKER_MANIFEST, body))
                .isInstanceOfSatisfying(RegistryException.class, code(ErrorCode.MANIFEST_INVALID));
        assertThat(file(StoragePaths.manifestsDir(REPO))).doesNotExist();
    }

    @Test
    void oversizeManifestIsSizeInvalidAndNothingIsStored() {
        ObjectNode manifest = pushedImage("a");
        manifest.putObject("annotations").put("padding", "x".repeat(ManifestParser.MAX_MANIFEST_BYTES));
        byte[] body = Pushes.bytes(manifest);

        assertThatThrownBy(() -> registry.manifests().put(REPO, Tag.of("v1"), MediaTypes.OCI_MANIFEST, body))
                .isInstanceOfSatisfying(RegistryException.class, code(ErrorCode.SIZE_INVALID));
        assertThat(file(StoragePaths.manifestsDir(REPO))).doesNotExist();
    }

    @Test
    void storedManifestWithoutMediaTypeFieldIsServedWithItsDetectedType() {
        ObjectNode manifest = pushedImage("a");
        manifest.remove("mediaType");
        byte[] body = Pushes.bytes(manifest);

        registry.manifests().put(REPO, Tag.of("v1"), MediaTypes.OCI_MANIFEST, body);

        assertThat(registry.manifests().get(REPO, Tag.of("v1")).orElseThrow().mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
    }

    @Test
    void deleteByDigestRemovesTheRevisionEveryTagOnItAndItsReferrerEntry() {
        ObjectNode manifest = pushedImage("a");
        Digest subject = Digest.sha256("subject".getBytes(StandardCharsets.UTF_8));
        manifest.set("subject", Pushes.descriptor(MediaTypes.OCI_MANIFEST, subject, 1));
        Digest digest = push.manifest(REPO, "v1", manifest);
        push.manifest(REPO, "also-v1", manifest);
        Digest other = push.manifest(REPO, "v2", pushedImage("b"));

        registry.manifests().delete(REPO, Reference.of(digest));

        assertThat(registry.manifests().get(REPO, Reference.of(digest))).isEmpty();
        assertThat(registry.manifests().get(REPO, Tag.of("v1"))).isEmpty();
        assertThat(registry.tags().list(REPO, 10, Optional.empty()).items()).containsExactly(Tag.of("v2"));
        assertThat(registry.manifests().get(REPO, Tag.of("v2")).orElseThrow().digest()).isEqualTo(other);
        assertThat(file(StoragePaths.referrerEntry(REPO, subject, digest))).doesNotExist();
        assertThat(file(StoragePaths.revisionLink(REPO, digest)).getParent()).doesNotExist();
        assertThat(file(StoragePaths.blobData(digest))).as("data stays until GC").exists();
    }

    @Test
    void deleteByTagRemovesOnlyTheTag() {
        Digest digest = push.manifest(REPO, "v1", pushedImage("a"));

        registry.manifests().delete(REPO, Tag.of("v1"));

        assertThat(registry.manifests().get(REPO, Tag.of("v1"))).isEmpty();
        assertThat(registry.manifests().get(REPO, Reference.of(digest))).isPresent();
        assertThat(file(StoragePaths.tagDir(REPO, Tag.of("v1")))).doesNotExist();
    }

    @Test
    void deleteOfAnUnknownManifestOrTagIsManifestUnknown() {
        push.manifest(REPO, "v1", pushedImage("a"));

        assertThatThrownBy(() -> registry.manifests().delete(REPO, Tag.of("v9")))
                .isInstanceOfSatisfying(RegistryException.class, code(ErrorCode.MANIFEST_UNKNOWN));
        assertThatThrownBy(() -> registry.manifests().delete(REPO, Reference.of(Digest.sha256(new byte[] {1}))))
                .isInstanceOfSatisfying(RegistryException.class, code(ErrorCode.MANIFEST_UNKNOWN));
    }

    @Test
    void deleteIsUnsupportedWhenDeletesAreDisabledAndChangesNothing() {
        Digest digest = push.manifest(REPO, "v1", pushedImage("a"));
        var readOnlyDeletes = withDeletesDisabled();

        assertThatThrownBy(() -> readOnlyDeletes.manifests().delete(REPO, Reference.of(digest)))
                .isInstanceOfSatisfying(RegistryException.class, code(ErrorCode.UNSUPPORTED));
        assertThatThrownBy(() -> readOnlyDeletes.manifests().delete(REPO, Tag.of("v1")))
                .isInstanceOfSatisfying(RegistryException.class, code(ErrorCode.UNSUPPORTED));
        assertThat(registry.manifests().get(REPO, Tag.of("v1"))).isPresent();
    }

    @Test
    void repeatedPutOfTheSameManifestRewritesNothingButLinks() throws Exception {
        ObjectNode manifest = pushedImage("a");
        Digest digest = push.manifest(REPO, "v1", manifest);
        Path data = file(StoragePaths.blobData(digest));
        // A time no rewrite could leave behind, rather than waiting for the clock to move on.
        var before = FileTime.from(Instant.parse("2001-02-03T04:05:06Z"));
        Files.setLastModifiedTime(data, before);

        push.manifest(REPO, "v1", manifest);

        assertThat(Files.getLastModifiedTime(data)).isEqualTo(before);
    }
}
