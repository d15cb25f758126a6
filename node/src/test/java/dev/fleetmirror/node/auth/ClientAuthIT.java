package dev.fleetmirror.node.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fleetmirror.node.interop.OciLayout;
import dev.fleetmirror.node.testing.DistributionProcess;
import dev.fleetmirror.node.testing.NodeProcess;
import dev.fleetmirror.node.testing.RegistryHttpClient;
import dev.fleetmirror.node.testing.RegistryHttpClient.Response;
import dev.fleetmirror.node.testing.Skopeo;
import dev.fleetmirror.node.testing.SyntheticImages;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real skopeo against two real nodes with client authentication. The issuer node runs the
 * built-in token service with a signing key from a PEM file (htpasswd users, access rules); the
 * relying node has no users of its own and trusts that issuer's certificate as its
 * {@code rootcertbundle}, as a Distribution registry trusts an external token server.
 */
class ClientAuthIT {
    private static final String RULES = """
            auth:
              groups:
                team-a: [alice]
              admins: [root]
            access:
              - repository: "team-a/**"
                groups: [team-a]
                actions: [pull, push, delete]
              - repository: "team-a/**"
                users: [bob]
                actions: [pull]
              - repository: "**"
                users: [carol]
                actions: [pull, push]
              - repository: "public/*"
                anonymous: true
                users: ["*"]
                actions: [pull]
            """;

    @TempDir
    static Path work;

    static NodeProcess issuer;
    static NodeProcess relying;
    static OciLayout source;

    @BeforeAll
    static void startNodes() throws Exception {
        assumeTrue(Skopeo.available(), Skopeo.absentReason());
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/htpasswd")), "htpasswd (apache2-utils) is not installed");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/openssl")), "openssl is not installed");
        Path htpasswd = work.resolve("htpasswd");
        run("htpasswd", "-Bbc", htpasswd.toString(), "alice", "alice-secret");
        run("htpasswd", "-Bb", htpasswd.toString(), "bob", "bob-secret");
        run("htpasswd", "-Bb", htpasswd.toString(), "carol", "carol-secret");
        run("htpasswd", "-Bb", htpasswd.toString(), "root", "root-secret");
        Path key = work.resolve("token.key");
        Path cert = work.resolve("token.crt");
        run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", key.toString(), "-out", cert.toString(), "-days", "2", "-subj", "/CN=fleet-mirror-token");

        SyntheticImages images = new SyntheticImages(work.resolve("source"));
        images.image("app", 11, "amd64", 0.5, 0.25);
        source = new OciLayout(images.layout());

        issuer = NodeProcess.start(work.resolve("issuer"), work.resolve("issuer-storage"), """
                auth:
                  htpasswd:
                    realm: fleet-mirror
                    path: %s
                  token:
                    service: fleet-mirror
                    issuer: fleet-mirror-issuer
                    rootcertbundle: %s
                  tokenservice:
                    signingkey: %s
                    expiration: 5m
                """.formatted(htpasswd, cert, key) + RULES.replaceFirst("auth:\n", ""), List.of());
        relying = NodeProcess.start(work.resolve("relying"), work.resolve("relying-storage"), """
                auth:
                  token:
                    realm: %s/token
                    service: fleet-mirror
                    issuer: fleet-mirror-issuer
                    rootcertbundle: %s
                """.formatted(issuer.baseUri().toString().replaceAll("/$", ""), cert) + RULES.replaceFirst("auth:\n", ""),
                List.of());
    }

    @AfterAll
    static void stopNodes() {
        for (NodeProcess node : new NodeProcess[] {relying, issuer}) {
            if (node != null) {
                node.close();
                node.keepLog(ClientAuthIT.class.getSimpleName());
            }
        }
    }

    @Test
    void userWithPushRightsPushesAndPullsThroughTheBuiltInTokenService() {
        Skopeo.copyAs("alice:alice-secret", "oci:" + source.root() + ":app", "docker://" + issuer.hostAndPort() + "/team-a/app:v1");
        Path pulled = work.resolve("pulled-alice");
        Skopeo.copyAs("alice:alice-secret", "docker://" + issuer.hostAndPort() + "/team-a/app:v1", "oci:" + pulled + ":v1");
        source.assertSameImage("app", new OciLayout(pulled), "v1");
    }

    @Test
    void wrongPasswordFailsWith401AndNothingIsPushed() {
        assertThatThrownBy(() -> Skopeo.copyAs("alice:wrong", "oci:" + source.root() + ":app",
                "docker://" + issuer.hostAndPort() + "/team-a/wrong:v1"))
                .hasMessageContaining("invalid username/password");
        Response token = http(issuer).call("GET", "/token?service=fleet-mirror&scope=repository:team-a/app:pull")
                .header("Authorization", basic("alice", "wrong")).send();
        assertThat(token.status()).as("%s", token).isEqualTo(401);
        assertThat(token.errorCodes()).containsExactly("UNAUTHORIZED");
        assertThat(token.text()).doesNotContain("wrong");
        Response tags = http(issuer).call("GET", "/v2/team-a/wrong/tags/list").header("Authorization", basic("alice", "alice-secret")).send();
        assertThat(tags.status()).as("%s", tags).isEqualTo(404);
    }

    @Test
    void unauthenticatedRequestsGetTheBearerChallengeOfThisNode() {
        Response base = http(issuer).call("GET", "/v2/").send();
        assertThat(base.status()).as("%s", base).isEqualTo(401);
        assertThat(base.errorCodes()).containsExactly("UNAUTHORIZED");
        assertThat(base.headerOrEmpty("WWW-Authenticate"))
                .isEqualTo("Bearer realm=\"http://" + issuer.hostAndPort() + "/token\",service=\"fleet-mirror\"");
        Response manifest = http(issuer).call("GET", "/v2/team-a/app/manifests/v1").send();
        assertThat(manifest.status()).as("%s", manifest).isEqualTo(401);
        assertThat(manifest.headerOrEmpty("WWW-Authenticate"))
                .isEqualTo("Bearer realm=\"http://" + issuer.hostAndPort() + "/token\",service=\"fleet-mirror\","
                        + "scope=\"repository:team-a/app:pull\"");
    }

    @Test
    void userWithoutPushIsDeniedAndItsTokenGrantsOnlyPull() throws Exception {
        Skopeo.copyAs("alice:alice-secret", "oci:" + source.root() + ":app", "docker://" + issuer.hostAndPort() + "/team-a/bobs:v1");
        assertThatThrownBy(() -> Skopeo.copyAs("bob:bob-secret", "oci:" + source.root() + ":app",
                "docker://" + issuer.hostAndPort() + "/team-a/bobs:v2"))
                .hasMessageContaining("does not grant push on team-a/bobs");
        Path pulled = work.resolve("pulled-bob");
        Skopeo.copyAs("bob:bob-secret", "docker://" + issuer.hostAndPort() + "/team-a/bobs:v1", "oci:" + pulled + ":v1");
        source.assertSameImage("app", new OciLayout(pulled), "v1");

        Response token = http(issuer).call("GET", "/token?service=fleet-mirror&scope=repository:team-a/bobs:pull,push&account=bob")
                .header("Authorization", basic("bob", "bob-secret")).send();
        assertThat(token.status()).as("%s", token).isEqualTo(200);
        assertThat(token.json().get("expires_in").asLong()).isEqualTo(300);
        assertThat(token.json().get("access_token").asText()).isEqualTo(token.json().get("token").asText());
        String payload = new String(Base64.getUrlDecoder().decode(token.json().get("token").asText().split("\\.")[1]),
                StandardCharsets.UTF_8);
        assertThat(payload).contains("\"actions\":[\"pull\"]").contains("\"sub\":\"bob\"");
        Response upload = http(issuer).call("POST", "/v2/team-a/bobs/blobs/uploads/")
                .header("Authorization", "Bearer " + token.json().get("token").asText()).send();
        assertThat(upload.status()).as("%s", upload).isEqualTo(401);
        assertThat(upload.headerOrEmpty("WWW-Authenticate")).contains("error=\"insufficient_scope\"")
                .contains("scope=\"repository:team-a/bobs:pull,push\"");
    }

    @Test
    void basicCredentialsWorkDirectlyAndTheCatalogListsOnlyPullableRepositories() {
        Skopeo.copyAs("carol:carol-secret", "oci:" + source.root() + ":app", "docker://" + issuer.hostAndPort() + "/carols/app:v1");
        Skopeo.copyAs("alice:alice-secret", "oci:" + source.root() + ":app", "docker://" + issuer.hostAndPort() + "/team-a/listed:v1");
        Response bobs = http(issuer).call("GET", "/v2/_catalog").header("Authorization", basic("bob", "bob-secret")).send();
        assertThat(bobs.status()).as("%s", bobs).isEqualTo(200);
        List<String> names = new ArrayList<>();
        bobs.json().get("repositories").forEach(n -> names.add(n.asText()));
        assertThat(names).contains("team-a/listed").doesNotContain("carols/app");
        Response carols = http(issuer).call("GET", "/v2/_catalog").header("Authorization", basic("carol", "carol-secret")).send();
        assertThat(carols.text()).contains("carols/app").contains("team-a/listed");

        Response denied = http(issuer).call("GET", "/v2/carols/app/manifests/v1")
                .header("Authorization", basic("bob", "bob-secret")).send();
        assertThat(denied.status()).as("%s", denied).isEqualTo(403);
        assertThat(denied.errorCodes()).containsExactly("DENIED");
        Response deleteDenied = http(issuer).call("DELETE", "/v2/carols/app/manifests/v1")
                .header("Authorization", basic("carol", "carol-secret")).send();
        assertThat(deleteDenied.status()).as("%s", deleteDenied).isEqualTo(403);
    }

    @Test
    void adminEndpointsNeedAnAdmin() {
        Response anonymous = http(issuer).call("GET", "/admin/v1/cluster").send();
        assertThat(anonymous.status()).as("%s", anonymous).isEqualTo(401);
        assertThat(anonymous.headerOrEmpty("WWW-Authenticate")).isEqualTo("Basic realm=\"fleet-mirror\"");
        Response statusPage = http(issuer).call("GET", "/ui/").send();
        assertThat(statusPage.status()).as("the status page names repositories: %s", statusPage).isEqualTo(401);
        Response statusForAdmin = http(issuer).call("GET", "/ui/").header("Authorization", basic("root", "root-secret")).send();
        assertThat(statusForAdmin.status()).as("%s", statusForAdmin).isEqualTo(200);
        Response user = http(issuer).call("GET", "/admin/v1/cluster").header("Authorization", basic("alice", "alice-secret")).send();
        assertThat(user.status()).as("%s", user).isEqualTo(403);
        assertThat(user.errorCodes()).containsExactly("DENIED");
        Response admin = http(issuer).call("GET", "/admin/v1/cluster").header("Authorization", basic("root", "root-secret")).send();
        assertThat(admin.status()).as("%s", admin).isEqualTo(200);
        Response metrics = http(issuer).call("GET", "/metrics").send();
        assertThat(metrics.status()).as("%s", metrics).isEqualTo(200);
    }

    @Test
    void nodeTrustingAnExternalIssuersCertificateAcceptsItsTokens() {
        Skopeo.copyAs("alice:alice-secret", "oci:" + source.root() + ":app", "docker://" + relying.hostAndPort() + "/team-a/ext:v1");
        Path pulled = work.resolve("pulled-relying");
        Skopeo.copyAs("bob:bob-secret", "docker://" + relying.hostAndPort() + "/team-a/ext:v1", "oci:" + pulled + ":v1");
        source.assertSameImage("app", new OciLayout(pulled), "v1");
        assertThatThrownBy(() -> Skopeo.copyAs("bob:bob-secret", "oci:" + source.root() + ":app",
                "docker://" + relying.hostAndPort() + "/team-a/ext:v2")).hasMessageContaining("does not grant push on team-a/ext");
        assertThatThrownBy(() -> Skopeo.copyAs("alice:nope", "docker://" + relying.hostAndPort() + "/team-a/ext:v1",
                "oci:" + work.resolve("never") + ":v1")).hasMessageContaining("invalid username/password");

        Response challenge = http(relying).call("GET", "/v2/").send();
        assertThat(challenge.headerOrEmpty("WWW-Authenticate")).isEqualTo("Bearer realm=\""
                + issuer.baseUri().toString().replaceAll("/$", "") + "/token\",service=\"fleet-mirror\"");
        Response forged = http(relying).call("GET", "/v2/team-a/ext/manifests/v1")
                .header("Authorization", "Bearer eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJmbGVldC1taXJyb3ItaXNzdWVyIn0.AAAA").send();
        assertThat(forged.status()).as("%s", forged).isEqualTo(401);
        assertThat(forged.headerOrEmpty("WWW-Authenticate")).contains("error=\"invalid_token\"");
    }

    @Test
    void distributionTrustingTheSameCertificateAcceptsTheTokensOfTheBuiltInService() {
        assumeTrue(DistributionProcess.available(), DistributionProcess.absentReason());
        DistributionProcess distribution = DistributionProcess.start(work.resolve("distribution"),
                work.resolve("distribution-storage"), false, """
                auth:
                  token:
                    realm: %s/token
                    service: fleet-mirror
                    issuer: fleet-mirror-issuer
                    rootcertbundle: %s
                """.formatted(issuer.baseUri().toString().replaceAll("/$", ""), work.resolve("token.crt")));
        try {
            Skopeo.copyAs("alice:alice-secret", "oci:" + source.root() + ":app",
                    "docker://" + distribution.hostAndPort() + "/team-a/dist:v1");
            Path pulled = work.resolve("pulled-distribution");
            Skopeo.copyAs("bob:bob-secret", "docker://" + distribution.hostAndPort() + "/team-a/dist:v1", "oci:" + pulled + ":v1");
            source.assertSameImage("app", new OciLayout(pulled), "v1");
            assertThatThrownBy(() -> Skopeo.copyAs("bob:bob-secret", "oci:" + source.root() + ":app",
                    "docker://" + distribution.hostAndPort() + "/team-a/dist:v2")).hasMessageContaining("denied");
        } finally {
            distribution.close();
        }
    }

    @Test
    void credentialsAndTokensNeverReachTheLogs() {
        Response token = http(issuer).call("GET", "/token?service=fleet-mirror&scope=repository:team-a/app:pull")
                .header("Authorization", basic("alice", "alice-secret")).send();
        String valid = token.json().get("token").asText();
        for (NodeProcess node : new NodeProcess[] {issuer, relying}) {
            http(node).call("GET", "/v2/team-a/app/tags/list").header("Authorization", "Bearer " + valid).send();
            http(node).call("GET", "/v2/team-a/app/tags/list").header("Authorization", "Bearer forged.token-leak-check.x").send();
            http(node).call("GET", "/v2/team-a/app/tags/list").header("Authorization", basic("alice", "pw-leak-check")).send();
            http(node).call("GET", "/admin/v1/cluster").header("Authorization", basic("root", "pw-leak-check")).send();
        }
        http(issuer).call("GET", "/token?service=fleet-mirror&scope=repository:team-a/app:pull")
                .header("Authorization", basic("alice", "pw-leak-check")).send();
        for (NodeProcess node : new NodeProcess[] {issuer, relying}) {
            assertThat(node.logText()).as("the access log saw the requests").contains("GET /v2/team-a/app/tags/list")
                    .doesNotContain("pw-leak-check").doesNotContain("token-leak-check")
                    .doesNotContain(valid).doesNotContain("alice-secret").doesNotContain(basic("alice", "pw-leak-check").substring(6));
        }
    }

    private static RegistryHttpClient http(NodeProcess node) {
        return new RegistryHttpClient(node.baseUri());
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " timed out");
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException(command[0] + " failed: " + output);
        }
    }
}
