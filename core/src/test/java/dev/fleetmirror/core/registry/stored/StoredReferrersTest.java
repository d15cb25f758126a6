package dev.fleetmirror.core.registry.stored;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.manifest.Descriptor;
import dev.fleetmirror.core.manifest.MediaTypes;
import dev.fleetmirror.core.name.Reference;
import dev.fleetmirror.core.name.RepositoryName;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StoredReferrersTest extends RegistryFixture {
    static final RepositoryName REPO = RepositoryName.of("library/app");
    static final String SBOM = "application/vnd.example.sbom";
    static final String SIGNATURE = "application/vnd.example.signature";

    private Digest pushReferrer(Digest subject, String artifactType, String annotation) {
        Digest empty = push.blob(REPO, "{}");
        ObjectNode manifest = Pushes.imageManifest(empty);
        ((ObjectNode) manifest.get("config")).put("mediaType", MediaTypes.OCI_EMPTY);
        if (artifactType != null) {
            manifest.put("artifactType", artifactType);
        }
        manifest.putObject("annotations").put("org.example.note", annotation);
        manifest.set("subject", Pushes.descriptor(MediaTypes.OCI_MANIFEST, subject, 10));
        return push.manifest(REPO, manifest);
    }

    @Test
    void referrersAreListedWithTheirDescriptors() {
        Digest subject = push.image(REPO, "v1", "a");
        Digest sbom = pushReferrer(subject, SBOM, "sbom");
        long size = registry.manifests().get(REPO, Reference.of(sbom)).orElseThrow().content().length;

        assertThat(registry.referrers().list(REPO, subject, Optional.empty())).containsExactly(
                new Descriptor(MediaTypes.OCI_MANIFEST, sbom, size, SBOM, Map.of("org.example.note", "sbom")));
    }

    @Test
    void artifactTypeFiltersTheList() {
        Digest subject = push.image(REPO, "v1", "a");
        Digest sbom = pushReferrer(subject, SBOM, "sbom");
        Digest signature = pushReferrer(subject, SIGNATURE, "sig");

        assertThat(registry.referrers().list(REPO, subject, Optional.empty())).extracting(Descriptor::digest)
                .containsExactlyInAnyOrder(sbom, signature);
        assertThat(registry.referrers().list(REPO, subject, Optional.of(SBOM))).extracting(Descriptor::digest)
                .containsExactly(sbom);
        assertThat(registry.referrers().list(REPO, subject, Optional.of("application/other"))).isEmpty();
    }

    @Test
    void withoutArtifactTypeTheConfigMediaTypeIsUsed() {
        Digest subject = push.image(REPO, "v1", "a");
        pushReferrer(subject, null, "plain");

        assertThat(registry.referrers().list(REPO, subject, Optional.empty())).extracting(Descriptor::artifactType)
                .containsExactly(MediaTypes.OCI_EMPTY);
    }

    @Test
    void referrersOfASubjectNotYetPushedAreListed() {
        Digest subject = Digest.sha256("pushed later".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Digest sbom = pushReferrer(subject, SBOM, "early");

        assertThat(registry.referrers().list(REPO, subject, Optional.empty())).extracting(Descriptor::digest)
                .containsExactly(sbom);
    }

    @Test
    void deletedReferrersAndOtherRepositoriesAreNotListed() {
        Digest subject = push.image(REPO, "v1", "a");
        Digest sbom = pushReferrer(subject, SBOM, "sbom");
        Digest signature = pushReferrer(subject, SIGNATURE, "sig");

        registry.manifests().delete(REPO, Reference.of(signature));

        assertThat(registry.referrers().list(REPO, subject, Optional.empty())).extracting(Descriptor::digest)
                .containsExactly(sbom);
        assertThat(registry.referrers().list(RepositoryName.of("other"), subject, Optional.empty())).isEmpty();
    }

    @Test
    void unknownSubjectHasNoReferrers() {
        assertThat(registry.referrers().list(REPO, Digest.sha256(new byte[] {1}), Optional.empty())).isEmpty();
    }
}
