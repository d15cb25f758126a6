package dev.fleetmirror.core.registry.stored;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.testing.DistributionGarbageCollect;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** What these services write is exactly what Distribution writes, and Distribution reads it. */
class DistributionLayoutTest extends RegistryFixture {
    static final RepositoryName REPO = RepositoryName.of("library/app");

    /** Every regular file under the root, by path relative to it, with its content for small files. */
    private Map<String, String> files() throws IOException {
        Map<String, String> files = new HashMap<>();
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.filter(Files::isRegularFile).toList()) {
                files.put(root.relativize(p).toString(), Files.readString(p, StandardCharsets.ISO_8859_1));
            }
        }
        return files;
    }

    private static String hex(Digest d) {
        return d.hex();
    }

    @Test
    void pushedImageHasExactlyDistributionsFilesAndLinkContents() throws IOException {
        Digest config = push.blob(REPO, "{\"architecture\":\"amd64\"}");
        Digest layer = push.blob(REPO, "layer bytes");
        Digest manifest = push.manifest(REPO, "v1", Pushes.imageManifest(config, layer));
        String v2 = "docker/registry/v2/";
        String repo = v2 + "repositories/library/app/";

        Map<String, String> expected = new HashMap<>();
        expected.put(v2 + "blobs/sha256/" + hex(config).substring(0, 2) + "/" + hex(config) + "/data",
                "{\"architecture\":\"amd64\"}");
        expected.put(v2 + "blobs/sha256/" + hex(layer).substring(0, 2) + "/" + hex(layer) + "/data", "layer bytes");
        expected.put(v2 + "blobs/sha256/" + hex(manifest).substring(0, 2) + "/" + hex(manifest) + "/data",
                new String(registry.manifests().get(REPO, dev.fleetmirror.core.name.Tag.of("v1")).orElseThrow().content(),
                        StandardCharsets.ISO_8859_1));
        expected.put(repo + "_layers/sha256/" + hex(config) + "/link", config.toString());
        expected.put(repo + "_layers/sha256/" + hex(layer) + "/link", layer.toString());
        expected.put(repo + "_manifests/revisions/sha256/" + hex(manifest) + "/link", manifest.toString());
        expected.put(repo + "_manifests/tags/v1/current/link", manifest.toString());
        expected.put(repo + "_manifests/tags/v1/index/sha256/" + hex(manifest) + "/link", manifest.toString());

        assertThat(files()).isEqualTo(expected);
    }

    @Test
    void distributionsGarbageCollectorMarksEverythingAManifestReferences() throws Exception {
        assumeTrue(DistributionGarbageCollect.available(), "Distribution's registry binary is installed by .ci/run");
        Digest amd64 = push.image(REPO, "amd64", "amd64");
        Digest arm64 = push.image(REPO, "arm64", "arm64");
        push.manifest(REPO, "multi", Pushes.index(amd64, arm64));
        push.blob(REPO, "uploaded but never referenced");

        String output = garbageCollectDryRun();

        // 2 manifests x (manifest + config + layer) + the index; the stray blob is the only candidate.
        assertThat(output).contains("7 blobs marked, 1 blobs and 0 manifests eligible for deletion");
    }

    private String garbageCollectDryRun() throws IOException, InterruptedException {
        return DistributionGarbageCollect.dryRun(root);
    }
}
