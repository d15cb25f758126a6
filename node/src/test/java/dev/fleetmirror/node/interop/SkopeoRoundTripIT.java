package dev.fleetmirror.node.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fleetmirror.node.testing.NodeProcess;
import dev.fleetmirror.node.testing.RegistryHttpClient;
import dev.fleetmirror.node.testing.RegistryHttpClient.Response;
import dev.fleetmirror.node.testing.Skopeo;
import dev.fleetmirror.node.testing.SyntheticImages;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real client against the packaged node: skopeo pushes synthetic images from an OCI layout and
 * pulls them back into another, and the two layouts must hold the same bytes.
 */
class SkopeoRoundTripIT {
    @TempDir
    static Path work;

    static NodeProcess node;
    static OciLayout source;

    @BeforeAll
    static void startNodeAndWriteImages() {
        assumeTrue(Skopeo.available(), Skopeo.absentReason());
        SyntheticImages images = new SyntheticImages(work.resolve("source"));
        images.image("app", 3, "amd64", 1, 2);
        images.image("amd", 4, "amd64", 0.5);
        images.image("arm", 5, "arm64", 0.5);
        images.index("multi", "amd", "arm");
        source = new OciLayout(images.layout());
        node = NodeProcess.start(work.resolve("node"));
    }

    @AfterAll
    static void stopNode() {
        if (node != null) {
            node.close();
            node.keepLog(SkopeoRoundTripIT.class.getSimpleName());
        }
    }

    @Test
    void multiLayerImagePushedBySkopeoPullsBackBitIdentical() {
        Skopeo.copy("oci:" + source.root() + ":app", "docker://" + node.hostAndPort() + "/interop/app:v1", false);
        Path pulled = work.resolve("pulled-app");
        Skopeo.copy("docker://" + node.hostAndPort() + "/interop/app:v1", "oci:" + pulled + ":v1", false);
        source.assertSameImage("app", new OciLayout(pulled), "v1");
    }

    @Test
    void multiArchIndexPushedBySkopeoPullsBackBitIdentical() {
        Skopeo.copy("oci:" + source.root() + ":multi", "docker://" + node.hostAndPort() + "/interop/multi:v1", true);
        Path pulled = work.resolve("pulled-multi");
        Skopeo.copy("docker://" + node.hostAndPort() + "/interop/multi:v1", "oci:" + pulled + ":v1", true);
        source.assertSameImage("multi", new OciLayout(pulled), "v1");
    }

    @Test
    void indexPushedBySkopeoIsServedByTagWithItsDigestAndMediaType() {
        Skopeo.copy("oci:" + source.root() + ":multi", "docker://" + node.hostAndPort() + "/interop/served:v1", true);
        String digest = source.manifestDigest("multi");
        Response get = new RegistryHttpClient(node.baseUri()).call("GET", "/v2/interop/served/manifests/v1")
                .header("Accept", "application/vnd.oci.image.index.v1+json").send();
        assertThat(get.status()).as("%s", get).isEqualTo(200);
        assertThat(get.headerOrEmpty("Docker-Content-Digest")).as("%s", get).isEqualTo(digest);
        assertThat(get.headerOrEmpty("Content-Type")).as("%s", get).isEqualTo("application/vnd.oci.image.index.v1+json");
        assertThat(get.body()).as("%s", get).isEqualTo(source.blob(digest));
    }
}
