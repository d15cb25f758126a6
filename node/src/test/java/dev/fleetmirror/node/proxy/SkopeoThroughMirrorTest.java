package dev.fleetmirror.node.proxy;

import static dev.fleetmirror.node.proxy.MirrorFixture.blobGets;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.node.FleetMirrorNode;
import dev.fleetmirror.node.testing.DistributionProcess;
import dev.fleetmirror.node.testing.NodeProcess;
import dev.fleetmirror.node.testing.Skopeo;
import dev.fleetmirror.node.testing.SyntheticImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * skopeo pulling an image whose registry is unreachable, through Fleet Mirror configured as its
 * {@code [[registry.mirror]]}: the pull can only succeed through the mirror.
 */
class SkopeoThroughMirrorTest {
    @TempDir
    Path work;

    @RegisterExtension
    final MirrorRig rig = new MirrorRig();

    @Test
    void skopeoPullsThroughTheMirrorOfItsRegistriesConf() throws Exception {
        assumeTrue(Skopeo.available(), Skopeo.absentReason());
        DistributionProcess upstream = rig.startUpstream(work, "upstream", "");
        Path source = work.resolve("source");
        String digest = new SyntheticImages(source).image("v1", 30, "amd64", 0.2, 0.05);
        Skopeo.copy("oci:" + source + ":v1", "docker://" + upstream.hostAndPort() + "/team/app:v1", false);
        FleetMirrorNode node = rig.startNode(work.resolve("node"), work.resolve("spool"), Duration.ofMinutes(1),
                MirrorFixture.catchAll(upstream.baseUri()));
        String unreachable = "127.0.0.1:" + NodeProcess.freePort();
        Path conf = work.resolve("registries.conf");
        Files.writeString(conf, """
                unqualified-search-registries = []

                [[registry]]
                prefix = "%1$s"
                location = "%1$s"
                insecure = true

                [[registry.mirror]]
                location = "127.0.0.1:%2$d"
                insecure = true
                """.formatted(unreachable, node.port()));

        Skopeo.copyWithRegistriesConf(conf, "docker://" + unreachable + "/team/app:v1", "oci:" + work.resolve("layout") + ":v1");

        List<Path> blobs;
        try (var files = Files.list(source.resolve("blobs/sha256"))) {
            blobs = files.toList();
        }
        assertThat(blobs).hasSizeGreaterThanOrEqualTo(4);
        assertThat(Files.readAllBytes(work.resolve("layout/blobs/sha256/" + Digest.parse(digest).hex())))
                .as("the manifest, byte for byte").isEqualTo(Files.readAllBytes(source.resolve("blobs/sha256/"
                        + Digest.parse(digest).hex())));
        for (Path blob : blobs) {
            Digest blobDigest = Digest.parse("sha256:" + blob.getFileName());
            if (blobDigest.toString().equals(digest)) {
                continue;
            }
            assertThat(Files.readAllBytes(work.resolve("layout/blobs/sha256/" + blob.getFileName())))
                    .isEqualTo(Files.readAllBytes(blob));
            assertThat(blobGets(upstream, "team/app", blobDigest)).as("upstream GETs of " + blobDigest).isEqualTo(1);
        }
    }
}
