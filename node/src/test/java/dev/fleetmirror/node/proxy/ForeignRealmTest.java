package dev.fleetmirror.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fleetmirror.core.manifest.MediaTypes;
import dev.fleetmirror.node.config.UpstreamConfig;
import dev.fleetmirror.node.testing.RegistryHttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real docker-registry in token-auth mode ({@code auth.token}) whose challenge names a realm
 * the test chooses, served by a {@link RealmWitness} that records what it receives. The mirror
 * holds a username and password for the upstream ({@code 127.0.0.1}); a realm on another host
 * ({@code 127.0.0.2}) must never see them, while a realm on the upstream's own host does (which is
 * what shows the witness would notice).
 */
class ForeignRealmTest {
    private static final Path OPENSSL = Path.of("/usr/bin/openssl");
    private static final String USER = "robot";
    private static final String PASSWORD = "mirror-pw-Wq5e";

    @TempDir
    Path work;

    @RegisterExtension
    final MirrorRig rig = new MirrorRig();

    private RealmWitness witness;

    @AfterEach
    void stopWitness() {
        if (witness != null) {
            witness.close();
        }
    }

    /** Pulls one manifest through a mirror of a token-auth registry whose realm is the witness on {@code realmHost}. */
    private List<RealmWitness.Seen> pullWithRealmOn(String realmHost) throws Exception {
        assumeTrue(Files.isExecutable(OPENSSL), OPENSSL + " is not installed");
        witness = RealmWitness.start(realmHost);
        Path bundle = rootCertificateBundle();
        rig.startUpstream(work, "upstream", """
                auth:
                  token:
                    realm: %s
                    service: fleet-test
                    issuer: fleet-test-issuer
                    rootcertbundle: %s
                """.formatted(witness.realm(), bundle));
        rig.startNode(work.resolve("node"), work.resolve("spool"), Duration.ofMinutes(1),
                // Public content, so that anonymous test clients may pull: what is tested is where the credentials go.
                new UpstreamConfig("tokened", rig.upstream().baseUri(), Optional.of(USER), Optional.of(PASSWORD), "", true)
                        .withPrivacy(UpstreamConfig.Privacy.PUBLIC));

        RegistryHttpClient.Response response = new RegistryHttpClient(MirrorFixture.uri(rig.node()))
                .call("GET", "/v2/team/app/manifests/v1").header("Accept", MediaTypes.OCI_MANIFEST).send();

        assertThat(response.status()).as("the witness's token is no good: " + response).isBetween(400, 499);
        assertThat(witness.seen()).as("the mirror asked the realm the challenge named").isNotEmpty();
        return witness.seen();
    }

    @Test
    void credentialsAreNeverSentToARealmOnAnotherHost() throws Exception {
        List<RealmWitness.Seen> seen = pullWithRealmOn("127.0.0.2");

        assertThat(seen).allSatisfy(request -> {
            assertThat(request.authorization()).as("Authorization at the foreign realm").isNull();
            assertThat(request.uri().toString()).doesNotContain(PASSWORD).doesNotContain(USER);
        });
        assertThat(seen.get(0).uri().getQuery()).contains("service=fleet-test").contains("scope=repository:team/app:pull");
    }

    @Test
    void aRealmOnTheUpstreamsOwnHostReceivesThem() throws Exception {
        List<RealmWitness.Seen> seen = pullWithRealmOn("127.0.0.1");

        String basic = "Basic " + Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        assertThat(seen).extracting(RealmWitness.Seen::authorization).contains(basic);
    }

    /** docker-registry's token mode needs a bundle of certificates it trusts for token signatures. */
    private Path rootCertificateBundle() throws Exception {
        Path cert = work.resolve("token-ca.crt");
        Process openssl = new ProcessBuilder(OPENSSL.toString(), "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                "-keyout", work.resolve("token-ca.key").toString(), "-out", cert.toString(), "-subj", "/CN=fleet-test-issuer",
                "-days", "1").redirectErrorStream(true).redirectOutput(work.resolve("openssl.log").toFile()).start();
        assertThat(openssl.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(openssl.exitValue()).as(Files.readString(work.resolve("openssl.log"))).isZero();
        return cert;
    }
}
