package dev.fleetmirror.node.proxy;

import static dev.fleetmirror.node.proxy.MirrorFixture.blobGets;
import static dev.fleetmirror.node.proxy.MirrorFixture.pull;
import static dev.fleetmirror.node.proxy.MirrorFixture.uri;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.manifest.MediaTypes;
import dev.fleetmirror.node.FleetMirrorNode;
import dev.fleetmirror.node.config.UpstreamConfig;
import dev.fleetmirror.node.testing.DistributionProcess;
import dev.fleetmirror.node.testing.RegistryHttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** An upstream docker-registry that demands Basic credentials (its htpasswd backend). */
class AuthenticatedUpstreamTest {
    private static final String USER = "mirror";
    private static final String PASSWORD = "s3cret-pw";

    @TempDir
    Path work;

    @RegisterExtension
    final MirrorRig rig = new MirrorRig("proxy-private-upstream");

    private DistributionProcess upstream;
    private FleetMirrorNode node;

    @BeforeEach
    void startUpstream() throws Exception {
        upstream = rig.startUpstream(work, "private", """
                auth:
                  htpasswd:
                    realm: private-upstream
                    path: %s
                """.formatted(writeHtpasswd()));
    }

    private Path writeHtpasswd() throws Exception {
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        Path htpasswd = work.resolve("htpasswd");
        Files.writeString(htpasswd, USER + ":" + OpenBSDBCrypt.generate("2y", PASSWORD.toCharArray(), salt, 5) + "\n");
        return htpasswd;
    }

    private static String basic() {
        return "Basic " + Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void mirrorWithTheUpstreamsCredentialsPullsItsImages() throws Exception {
        TestImage image = TestImage.random(20, 200_000);
        image.push(upstream.baseUri(), "private/app", "v1", "Authorization", basic());
        node = rig.startNode(work.resolve("node"), work.resolve("spool"), Duration.ofMinutes(1),
                new UpstreamConfig("private", upstream.baseUri(), Optional.of(USER), Optional.of(PASSWORD), "", true).withPrivacy(UpstreamConfig.Privacy.PUBLIC));

        Map<Digest, byte[]> pulled = pull(uri(node), "private/app", "v1");

        assertThat(pulled.get(image.digest())).isEqualTo(image.manifest());
        for (Digest blob : image.blobDigests()) {
            assertThat(pulled.get(blob)).isEqualTo(image.blob(blob));
            assertThat(blobGets(upstream, "private/app", blob)).isEqualTo(1);
        }
    }

    @Test
    void mirrorWithoutCredentialsIsDeniedAndCachesNothing() throws Exception {
        TestImage image = TestImage.random(21, 1_000);
        image.push(upstream.baseUri(), "private/app", "v1", "Authorization", basic());
        node = rig.startNode(work.resolve("node"), work.resolve("spool"), Duration.ofMinutes(1),
                MirrorFixture.catchAll(upstream.baseUri()));

        RegistryHttpClient.Response response = new RegistryHttpClient(uri(node)).call("GET", "/v2/private/app/manifests/v1")
                .header("Accept", MediaTypes.OCI_MANIFEST).send();

        assertThat(response.status()).as(response.toString()).isEqualTo(403);
        assertThat(response.errorCodes()).containsExactly("DENIED");
        assertThat(response.text()).contains("upstream");
        assertThat(Files.exists(work.resolve("node/docker/registry/v2/repositories/private/app/_manifests/tags"))).isFalse();
    }
}
