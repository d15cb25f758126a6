package dev.fleetmirror.node.interop;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fleetmirror.node.testing.DistributionProcess;
import dev.fleetmirror.node.testing.NodeProcess;
import dev.fleetmirror.node.testing.Skopeo;
import dev.fleetmirror.node.testing.SyntheticImages;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fleet Mirror keeps Distribution's storage layout so an existing {@code registry:2} directory is
 * served as it is: a node and Debian's docker-registry run side by side on ONE storage directory,
 * and each must serve, byte for byte, what the other stored.
 */
class DistributionInteropIT {
    @TempDir
    static Path work;

    static NodeProcess node;
    static DistributionProcess distribution;
    static OciLayout source;

    @BeforeAll
    static void startBothOnOneDirectory() {
        assumeTrue(DistributionProcess.available(), DistributionProcess.absentReason());
        assumeTrue(Skopeo.available(), Skopeo.absentReason());
        SyntheticImages images = new SyntheticImages(work.resolve("source"));
        images.image("app", 7, "amd64", 1, 1.5);
        images.image("amd", 8, "amd64", 0.5);
        images.image("arm", 9, "arm64", 0.5);
        images.index("multi", "amd", "arm");
        source = new OciLayout(images.layout());
        Path storage = work.resolve("storage");
        node = NodeProcess.start(work.resolve("node"), storage, "", List.of());
        distribution = DistributionProcess.start(work.resolve("distribution"), storage);
    }

    @AfterAll
    static void stopBoth() {
        try {
            if (distribution != null) {
                distribution.close();
                distribution.keepLog(DistributionInteropIT.class.getSimpleName() + "-distribution");
            }
        } finally {
            if (node != null) {
                node.close();
                node.keepLog(DistributionInteropIT.class.getSimpleName() + "-node");
            }
        }
    }

    @Test
    void distributionServesAnImageFleetMirrorStored() {
        Skopeo.copy("oci:" + source.root() + ":app", "docker://" + node.hostAndPort() + "/written-by-node/app:v1", false);
        Path pulled = work.resolve("from-distribution-app");
        Skopeo.copy("docker://" + distribution.hostAndPort() + "/written-by-node/app:v1", "oci:" + pulled + ":v1", false);
        source.assertSameImage("app", new OciLayout(pulled), "v1");
    }

    @Test
    void distributionServesAnIndexFleetMirrorStored() {
        Skopeo.copy("oci:" + source.root() + ":multi", "docker://" + node.hostAndPort() + "/written-by-node/multi:v1", true);
        Path pulled = work.resolve("from-distribution-multi");
        Skopeo.copy("docker://" + distribution.hostAndPort() + "/written-by-node/multi:v1", "oci:" + pulled + ":v1", true);
        source.assertSameImage("multi", new OciLayout(pulled), "v1");
    }

    @Test
    void fleetMirrorServesAnImageDistributionStored() {
        Skopeo.copy("oci:" + source.root() + ":app", "docker://" + distribution.hostAndPort() + "/written-by-distribution/app:v1", false);
        Path pulled = work.resolve("from-node-app");
        Skopeo.copy("docker://" + node.hostAndPort() + "/written-by-distribution/app:v1", "oci:" + pulled + ":v1", false);
        source.assertSameImage("app", new OciLayout(pulled), "v1");
    }

    @Test
    void fleetMirrorServesAnIndexDistributionStored() {
        Skopeo.copy("oci:" + source.root() + ":multi", "docker://" + distribution.hostAndPort() + "/written-by-distribution/multi:v1", true);
        Path pulled = work.resolve("from-node-multi");
        Skopeo.copy("docker://" + node.hostAndPort() + "/written-by-distribution/multi:v1", "oci:" + pulled + ":v1", true);
        source.assertSameImage("multi", new OciLayout(pulled), "v1");
    }
}
