package dev.fleetmirror.core.registry.stored;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.manifest.Descriptor;
import dev.fleetmirror.core.manifest.MediaTypes;
import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.storage.FilesystemDriver;
import dev.fleetmirror.core.storage.StoragePaths;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MirroredReferrersTest {
    private static final RepositoryName REPO = new RepositoryName("team/app");
    private static final Digest SUBJECT = Digest.sha256("subject".getBytes(StandardCharsets.UTF_8));
    private static final Descriptor SIGNATURE = new Descriptor(MediaTypes.OCI_MANIFEST,
            Digest.sha256("signature".getBytes(StandardCharsets.UTF_8)), 512, "application/vnd.example.sig",
            Map.of("org.example.kind", "signature"));
    private static final Descriptor SBOM = new Descriptor(MediaTypes.OCI_MANIFEST,
            Digest.sha256("sbom".getBytes(StandardCharsets.UTF_8)), 700, "application/spdx+json", Map.of());

    @TempDir
    Path root;

    @Test
    void aKeptListReadsBackAsWrittenWithTheDigestItWasWrittenUnder() {
        MirroredReferrers kept = new MirroredReferrers(new FilesystemDriver(root));

        MirroredReferrers.Snapshot written = kept.write(REPO, SUBJECT, List.of(SIGNATURE, SBOM));

        assertThat(kept.read(REPO, SUBJECT)).contains(written);
        assertThat(written.referrers()).containsExactlyInAnyOrder(SIGNATURE, SBOM);
    }

    @Test
    void theSameReferrersInAnotherOrderHaveTheSameDigest() {
        assertThat(MirroredReferrers.snapshot(List.of(SIGNATURE, SBOM)).digest())
                .isEqualTo(MirroredReferrers.snapshot(List.of(SBOM, SIGNATURE)).digest())
                .isNotEqualTo(MirroredReferrers.snapshot(List.of(SBOM)).digest());
    }

    @Test
    void nothingKeptOrSomethingUnreadableIsNoList() throws Exception {
        MirroredReferrers kept = new MirroredReferrers(new FilesystemDriver(root));
        assertThat(kept.read(REPO, SUBJECT)).isEmpty();

        Path file = root.resolve(StoragePaths.mirroredReferrers(REPO, SUBJECT).substring(1));
        Files.createDirectories(file.getParent());
        Files.writeString(file, "not an index");

        assertThat(kept.read(REPO, SUBJECT)).isEmpty();
    }
}
