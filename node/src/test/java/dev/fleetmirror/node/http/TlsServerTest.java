package dev.fleetmirror.node.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.node.FleetMirrorNode;
import dev.fleetmirror.node.config.ConfigLoader;
import dev.fleetmirror.node.config.NodeConfig;
import dev.fleetmirror.node.testing.Skopeo;
import dev.fleetmirror.node.testing.SyntheticImages;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node serving HTTPS ({@code http.tls}) to real clients: skopeo pushes and pulls trusting the
 * test CA, curl negotiates HTTP/2 by ALPN (and still gets HTTP/1.1 when it asks), and with
 * {@code clientcas} a client without a certificate is refused while one with a certificate signed
 * by the client CA is served. Certificates are made by openssl for each test.
 */
class TlsServerTest {
    private static final Path OPENSSL = Path.of("/usr/bin/openssl");
    private static final Path CURL = Path.of("/usr/bin/curl");

    @TempDir
    Path work;

    private FleetMirrorNode node;

    @BeforeEach
    void certificates() throws Exception {
        assumeTrue(Files.isExecutable(OPENSSL), OPENSSL + " is not installed");
        assumeTrue(Files.isExecutable(CURL), CURL + " is not installed");
        assumeTrue(Skopeo.available(), Skopeo.absentReason());
        Path pki = Files.createDirectories(work.resolve("pki"));
        run(pki, OPENSSL.toString(), "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt",
                "-subj", "/CN=fleetmirror-test-ca", "-days", "1");
        for (String name : List.of("server", "client")) {
            run(pki, OPENSSL.toString(), "req", "-x509", "-CA", "ca.crt", "-CAkey", "ca.key", "-newkey", "rsa:2048", "-nodes",
                    "-keyout", name + ".key", "-out", name + ".crt", "-subj", "/CN=" + (name.equals("server") ? "127.0.0.1" : "robot"),
                    "-addext", "subjectAltName=IP:127.0.0.1", "-addext", "basicConstraints=critical,CA:FALSE", "-days", "1");
        }
        // A second CA that signed nothing the node trusts, for a client certificate the node must refuse.
        run(pki, OPENSSL.toString(), "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "stranger.key",
                "-out", "stranger.crt", "-subj", "/CN=stranger", "-days", "1");
    }

    @AfterEach
    void stop() throws Exception {
        if (node != null) {
            node.close(1).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    /** A node configured the way an operator does it, from YAML with Distribution's keys. */
    private FleetMirrorNode start(boolean mutual) throws Exception {
        return start(mutual, "30s");
    }

    private FleetMirrorNode start(boolean mutual, String requestHead) throws Exception {
        Path pki = work.resolve("pki");
        String yaml = """
                version: 0.1
                http:
                  addr: 127.0.0.1:0
                  timeouts:
                    requesthead: %s
                  tls:
                    certificate: %s
                    key: %s
                """.formatted(requestHead, pki.resolve("server.crt"), pki.resolve("server.key"))
                + (mutual ? "    clientcas:\n      - " + pki.resolve("ca.crt") + "\n" : "")
                + """
                storage:
                  filesystem:
                    rootdirectory: %s
                """.formatted(work.resolve("storage"));
        NodeConfig config = ConfigLoader.fromYaml(yaml, Map.of());
        assertThat(config.http().tls()).isPresent();
        node = FleetMirrorNode.start(config).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        return node;
    }

    private String registry() {
        return "127.0.0.1:" + node.port();
    }

    /** A containers-certs.d directory: the CA, and the client's certificate and key when given. */
    private Path certDir(String name, boolean withClientCertificate, String clientName) throws IOException {
        Path pki = work.resolve("pki");
        Path dir = Files.createDirectories(work.resolve("certs-" + name));
        Files.copy(pki.resolve("ca.crt"), dir.resolve("ca.crt"));
        if (withClientCertificate) {
            Files.copy(pki.resolve(clientName + ".crt"), dir.resolve("client.cert"));
            Files.copy(pki.resolve(clientName + ".key"), dir.resolve("client.key"));
        }
        return dir;
    }

    @Test
    void skopeoPushesAndPullsOverHttpsAndCurlGetsHttp2() throws Exception {
        start(false);
        Path source = work.resolve("source");
        String digest = new SyntheticImages(source).image("v1", 60, "amd64", 0.3, 0.05);
        Path certs = certDir("plain", false, null);

        Skopeo.copyVerified(List.of("--dest-cert-dir", certs.toString()), "oci:" + source + ":v1",
                "docker://" + registry() + "/team/app:v1");
        Skopeo.copyVerified(List.of("--src-cert-dir", certs.toString()), "docker://" + registry() + "/team/app:v1",
                "oci:" + work.resolve("pulled") + ":v1");

        String hex = Digest.parse(digest).hex();
        assertThat(Files.readAllBytes(work.resolve("pulled/blobs/sha256/" + hex)))
                .isEqualTo(Files.readAllBytes(source.resolve("blobs/sha256/" + hex)));
        String cacert = work.resolve("pki/ca.crt").toString();
        String url = "https://" + registry() + "/v2/";
        assertThat(curl("--http2", "--cacert", cacert, url).stdout()).isEqualTo("2 200");
        assertThat(curl("--http1.1", "--cacert", cacert, url).stdout()).isEqualTo("1.1 200");
        assertThat(curl("--http2", url).exit()).as("a client that does not trust the CA fails the handshake").isNotZero();
        assertThatThrownBy(() -> Skopeo.copyVerified(List.of(), "docker://" + registry() + "/team/app:v1",
                "oci:" + work.resolve("untrusted") + ":v1")).hasMessageContaining("certificate");
    }

    @Test
    void mutualTlsRefusesClientsWithoutATrustedCertificate() throws Exception {
        start(true);
        Path pki = work.resolve("pki");
        String cacert = pki.resolve("ca.crt").toString();
        String url = "https://" + registry() + "/v2/";

        Curl anonymous = curl("--http2", "--cacert", cacert, url);
        Curl stranger = curl("--http2", "--cacert", cacert, "--cert", pki.resolve("stranger.crt").toString(),
                "--key", pki.resolve("stranger.key").toString(), url);
        Curl client = curl("--http2", "--cacert", cacert, "--cert", pki.resolve("client.crt").toString(),
                "--key", pki.resolve("client.key").toString(), url);

        assertThat(anonymous.exit()).as("without a certificate: " + anonymous).isNotZero();
        assertThat(anonymous.stdout()).doesNotContain("200");
        assertThat(stranger.exit()).as("with a certificate of another CA: " + stranger).isNotZero();
        assertThat(client.exit()).as(client.toString()).isZero();
        assertThat(client.stdout()).isEqualTo("2 200");

        Path source = work.resolve("source");
        new SyntheticImages(source).image("v1", 61, "amd64", 0.1);
        Skopeo.copyVerified(List.of("--dest-cert-dir", certDir("client", true, "client").toString()), "oci:" + source + ":v1",
                "docker://" + registry() + "/team/app:v1");
        assertThatThrownBy(() -> Skopeo.copyVerified(List.of("--dest-cert-dir", certDir("none", false, null).toString()),
                "oci:" + source + ":v1", "docker://" + registry() + "/team/app:v2")).isInstanceOf(AssertionError.class);
    }

    @Test
    void anHttp2UploadLongerThanTheRequestHeadDeadlineCompletes() throws Exception {
        start(false, "1s");
        String cacert = work.resolve("pki/ca.crt").toString();
        String base = "https://" + registry();
        Curl session = curlWriting("%{http_version} %{http_code} %header{location}", "--http2", "--cacert", cacert,
                "-X", "POST", base + "/v2/team/app/blobs/uploads/");
        assertThat(session.stdout()).startsWith("2 202 /v2/team/app/blobs/uploads/");
        Path chunk = work.resolve("chunk");
        Files.write(chunk, new byte[300_000]);

        // About 3 s at 100 KB/s, three times the deadline, on an HTTP/2 connection with no other request.
        long started = System.nanoTime();
        Curl patch = curl("--http2", "--cacert", cacert, "-X", "PATCH", "-H", "Content-Type: application/octet-stream",
                "--data-binary", "@" + chunk, "--limit-rate", "100k", base + session.stdout().split(" ")[2]);
        long elapsedMs = (System.nanoTime() - started) / 1_000_000;

        assertThat(elapsedMs).as("the upload took longer than the deadline").isGreaterThan(2_000);
        assertThat(patch.exit()).as(patch.toString()).isZero();
        assertThat(patch.stdout()).isEqualTo("2 202");
    }

    private record Curl(int exit, String stdout, String stderr) {
    }

    private Curl curl(String... args) throws Exception {
        return curlWriting("%{http_version} %{http_code}", args);
    }

    private Curl curlWriting(String writeOut, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(CURL.toString(), "-sS", "--max-time", "20", "-o", "/dev/null",
                "-w", writeOut));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(work, "curl", ".out");
        Path err = Files.createTempFile(work, "curl", ".err");
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        return new Curl(process.exitValue(), Files.readString(out).trim(), Files.readString(err));
    }

    private static void run(Path dir, String... command) throws Exception {
        Path log = dir.resolve("openssl.log");
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(String.join(" ", command) + ": " + Files.readString(log, StandardCharsets.UTF_8)).isZero();
    }
}
