package dev.fleetmirror.core.registry.stored;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.manifest.MediaTypes;
import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.name.Tag;
import dev.fleetmirror.core.registry.StoredManifest;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RegistryOnStorageTest extends RegistryFixture {

    @Test
    void pushedImageIsReadableByTagAndDigest() throws Exception {
        RepositoryName repo = RepositoryName.of("library/redis");
        Digest digest = push.image(repo, "7", "a");

        StoredManifest byTag = registry.manifests().get(repo, Tag.of("7")).orElseThrow();
        assertThat(byTag.digest()).isEqualTo(digest);
        assertThat(byTag.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
        assertThat(Digest.sha256(byTag.content())).isEqualTo(digest);
        assertThat(registry.tags().list(repo, 10, Optional.empty()).items()).containsExactly(Tag.of("7"));
        assertThat(registry.catalog().list(10, Optional.empty()).items()).containsExactly(repo);
        Digest layer = Digest.sha256("layer of a".getBytes());
        try (var in = registry.blobs().open(layer, 0)) {
            assertThat(new String(in.readAllBytes())).isEqualTo("layer of a");
        }
    }
}
