package dev.fleetmirror.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fleetmirror.coordination.mode.ClusterMode;
import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.node.FleetMirrorNode;
import dev.fleetmirror.node.testing.RegistryHttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cache fill that completes during a GC's short read-only window (writes held, not refused) is
 * stored once the window closes; its client got the bytes meanwhile. Against a real docker-registry.
 */
class FillHeldInGcWindowTest {
    @TempDir
    Path work;
    @RegisterExtension
    final MirrorRig rig = new MirrorRig();

    @Test
    void aFillDuringTheWindowIsStoredWhenItCloses() throws Exception {
        rig.startUpstream(work, "upstream", "");
        TestImage image = TestImage.random(61, 200_000);
        image.push(rig.upstream().baseUri(), "team/app", "1");
        FleetMirrorNode node = rig.startNode(work.resolve("storage"), work.resolve("spool"), Duration.ofMinutes(1),
                MirrorFixture.catchAll(rig.upstream().baseUri()));
        Digest layer = image.blobDigests().get(1);
        Path link = work.resolve("storage/docker/registry/v2/repositories/team/app/_layers/sha256/" + layer.hex() + "/link");

        assertThat(node.coordination().mode().switchTo(ClusterMode.READ_ONLY, Duration.ofSeconds(10), true).succeeded())
                .isTrue();
        RegistryHttpClient.Response pulled = new RegistryHttpClient(MirrorFixture.uri(node))
                .call("GET", "/v2/team/app/blobs/" + layer).send();
        assertThat(pulled.status()).as("pulls work in the window").isEqualTo(200);
        assertThat(pulled.body()).isEqualTo(image.blob(layer));
        assertThat(Files.exists(link)).as("nothing stored while the window is open").isFalse();

        assertThat(node.coordination().mode().switchTo(ClusterMode.READ_WRITE, Duration.ofSeconds(10)).succeeded()).isTrue();
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(link));
        assertThat(MirrorFixture.blobGets(rig.upstream(), "team/app", layer)).as("fetched once").isEqualTo(1);
    }
}
