package dev.fleetmirror.node.proxy;

import static dev.fleetmirror.node.proxy.MirrorFixture.pull;
import static dev.fleetmirror.node.proxy.MirrorFixture.uri;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.manifest.MediaTypes;
import dev.fleetmirror.node.FleetMirrorNode;
import dev.fleetmirror.node.config.UpstreamConfig;
import dev.fleetmirror.node.testing.RegistryHttpClient;
import io.vertx.core.net.PemKeyCertOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** An HTTPS upstream with a self-signed certificate (made by openssl): refused unless the operator opts out. */
class TlsUpstreamTest {
    private static final Path OPENSSL = Path.of("/usr/bin/openssl");

    @TempDir
    Path work;

    @RegisterExtension
    final MirrorRig rig = new MirrorRig();

    @BeforeEach
    void start() throws Exception {
        rig.startUpstream(work, "upstream", "");
        assumeTrue(Files.isExecutable(OPENSSL), OPENSSL + " is not installed");
        Process openssl = new ProcessBuilder(List.of(OPENSSL.toString(), "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                "-keyout", work.resolve("key.pem").toString(), "-out", work.resolve("cert.pem").toString(), "-days", "1",
                "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"))
                .redirectErrorStream(true).redirectOutput(work.resolve("openssl.log").toFile()).start();
        assertThat(openssl.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(openssl.exitValue()).as(Files.readString(work.resolve("openssl.log"))).isZero();
        rig.track(TokenGate.start(rig.upstream().baseUri(), "robot", "pa55", "127.0.0.1", new PemKeyCertOptions()
                .setCertPath(work.resolve("cert.pem").toString()).setKeyPath(work.resolve("key.pem").toString())));
    }

    private FleetMirrorNode mirror(boolean tlsVerify) throws Exception {
        rig.startNode(work.resolve("node"), work.resolve("spool"), Duration.ofMinutes(1),
                new UpstreamConfig("tls", rig.gate().baseUri(), Optional.of("robot"), Optional.of("pa55"), "", tlsVerify).withPrivacy(UpstreamConfig.Privacy.PUBLIC));
        return rig.node();
    }

    @Test
    void untrustedCertificateIsRefusedByDefault() throws Exception {
        TestImage.random(50, 1_000).push(rig.upstream().baseUri(), "team/app", "v1");
        mirror(true);

        RegistryHttpClient.Response response = new RegistryHttpClient(uri(rig.node())).call("GET", "/v2/team/app/manifests/v1")
                .header("Accept", MediaTypes.OCI_MANIFEST).send();

        assertThat(response.status()).isEqualTo(503);
        assertThat(response.errorCodes()).containsExactly("UNAVAILABLE");
        assertThat(rig.gate().tokenRequests()).as("no credentials went to the unverified server").isEmpty();
    }

    @Test
    void operatorOptOutOfVerificationPullsOverHttps() throws Exception {
        TestImage image = TestImage.random(51, 50_000);
        image.push(rig.upstream().baseUri(), "team/app", "v1");
        mirror(false);

        Map<Digest, byte[]> pulled = pull(uri(rig.node()), "team/app", "v1");

        assertThat(pulled.get(image.digest())).isEqualTo(image.manifest());
        for (Digest blob : image.blobDigests()) {
            assertThat(pulled.get(blob)).isEqualTo(image.blob(blob));
        }
    }
}
