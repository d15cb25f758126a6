package dev.fleetmirror.core.registry.stored;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.manifest.MediaTypes;
import dev.fleetmirror.core.name.Reference;
import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.name.Tag;
import dev.fleetmirror.core.error.ErrorCode;
import dev.fleetmirror.core.error.RegistryException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Manifests a pull-through cache stores before it has the blobs they reference. */
class FetchedManifestsTest extends RegistryFixture {
    static final RepositoryName REPO = RepositoryName.of("mirror/app");

    private static final Digest ABSENT_CONFIG = Digest.sha256("config never pushed".getBytes(StandardCharsets.UTF_8));
    private static final Digest ABSENT_LAYER = Digest.sha256("layer never pushed".getBytes(StandardCharsets.UTF_8));

    @Test
    void fetchedManifestIsStoredWithoutItsBlobsAndServedByTagAndDigest() {
        byte[] body = Pushes.bytes(Pushes.imageManifest(ABSENT_CONFIG, ABSENT_LAYER));
        assertThatThrownBy(() -> registry.manifests().put(REPO, Tag.of("v1"), MediaTypes.OCI_MANIFEST, body))
                .isInstanceOfSatisfying(RegistryException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.MANIFEST_BLOB_UNKNOWN));

        Digest digest = registry.manifests().putFetched(REPO, Tag.of("v1"), MediaTypes.OCI_MANIFEST, body).digest();

        assertThat(digest).isEqualTo(Digest.sha256(body));
        assertThat(registry.manifests().get(REPO, Tag.of("v1")).orElseThrow().content()).isEqualTo(body);
        assertThat(registry.manifests().get(REPO, Reference.of(digest)).orElseThrow().content()).isEqualTo(body);
    }

    @Test
    void fetchedIndexIsStoredWithoutItsChildren() {
        byte[] body = Pushes.bytes(Pushes.index(ABSENT_CONFIG));

        Digest digest = registry.manifests().putFetched(REPO, Reference.of(Digest.sha256(body)), MediaTypes.OCI_INDEX, body)
                .digest();

        assertThat(registry.manifests().get(REPO, Reference.of(digest)).orElseThrow().mediaType())
                .isEqualTo(MediaTypes.OCI_INDEX);
    }

    @Test
    void fetchedBytesThatDoNotHashToTheDigestStoreNothing() {
        byte[] body = Pushes.bytes(Pushes.imageManifest(ABSENT_CONFIG, ABSENT_LAYER));
        Digest other = Digest.sha256("something else".getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> registry.manifests().putFetched(REPO, Reference.of(other), MediaTypes.OCI_MANIFEST, body))
                .isInstanceOfSatisfying(RegistryException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.DIGEST_INVALID));
        assertThat(registry.manifests().get(REPO, Reference.of(other))).isEmpty();
        assertThat(registry.manifests().get(REPO, Reference.of(Digest.sha256(body)))).isEmpty();
    }

    @Test
    void fetchedBodyThatIsNotAManifestIsRefused() {
        byte[] body = "<html>rate limited</html>".getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> registry.manifests().putFetched(REPO, Tag.of("v1"), MediaTypes.OCI_MANIFEST, body))
                .isInstanceOfSatisfying(RegistryException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.MANIFEST_INVALID));
        assertThat(registry.manifests().get(REPO, Tag.of("v1"))).isEmpty();
    }
}
