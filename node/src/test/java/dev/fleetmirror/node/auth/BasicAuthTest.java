package dev.fleetmirror.node.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fleetmirror.node.FleetMirrorNode;
import dev.fleetmirror.node.testing.TestUsers;
import dev.fleetmirror.node.config.ConfigLoader;
import dev.fleetmirror.node.config.NodeConfig;
import dev.fleetmirror.node.testing.RegistryHttpClient.Response;
import dev.fleetmirror.node.testing.RegistryHttpClient;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.security.crypto.bcrypt.BCrypt;

/** A node with {@code auth.htpasswd} only: Basic challenges, access rules, and a users file edited while it runs. */
class BasicAuthTest {
    @TempDir
    Path dir;
    FleetMirrorNode node;
    RegistryHttpClient http;
    Path htpasswd;

    @BeforeEach
    void start() throws Exception {
        htpasswd = TestUsers.htpasswd(dir.resolve("htpasswd"), Map.of("alice", "alice-secret"));
        NodeConfig config = ConfigLoader.fromYaml(TestUsers.loopbackNodeYaml(dir.resolve("storage")) + """
                auth:
                  htpasswd:
                    realm: corp-registry
                    path: %s
                access:
                  - repository: "public/*"
                    anonymous: true
                    actions: [pull]
                  - repository: "**"
                    users: ["*"]
                    actions: [pull, push]
                """.formatted(htpasswd), Map.of());
        node = FleetMirrorNode.start(config).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        http = new RegistryHttpClient(URI.create("http://127.0.0.1:" + node.port()));
    }

    @AfterEach
    void stop() throws Exception {
        if (node != null) {
            node.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    private static String basic(String user, String password) {
        return new BasicCredentials(user, password).header();
    }

    @Test
    void anonymousCallersGetTheBasicChallengeExceptWhereARuleLetsThemIn() {
        Response base = http.call("GET", "/v2/").send();
        assertThat(base.status()).as("%s", base).isEqualTo(401);
        assertThat(base.headerOrEmpty("WWW-Authenticate")).isEqualTo("Basic realm=\"corp-registry\"");
        assertThat(base.errorCodes()).containsExactly("UNAUTHORIZED");

        Response privateTags = http.call("GET", "/v2/team/app/tags/list").send();
        assertThat(privateTags.status()).as("%s", privateTags).isEqualTo(401);
        Response publicTags = http.call("GET", "/v2/public/app/tags/list").send();
        assertThat(publicTags.status()).as("allowed, and unknown: %s", publicTags).isEqualTo(404);
        Response anonymousPush = http.call("POST", "/v2/public/app/blobs/uploads/").send();
        assertThat(anonymousPush.status()).as("%s", anonymousPush).isEqualTo(401);
        assertThat(anonymousPush.errorCodes()).containsExactly("UNAUTHORIZED");
    }

    @Test
    void basicCredentialsAreCheckedAndWrongOnesNeverEchoed() {
        Response ok = http.call("GET", "/v2/").header("Authorization", basic("alice", "alice-secret")).send();
        assertThat(ok.status()).as("%s", ok).isEqualTo(200);
        Response upload = http.call("POST", "/v2/team/app/blobs/uploads/").header("Authorization", basic("alice", "alice-secret")).send();
        assertThat(upload.status()).as("%s", upload).isEqualTo(202);

        Response wrong = http.call("GET", "/v2/team/app/tags/list").header("Authorization", basic("alice", "guess-123")).send();
        assertThat(wrong.status()).as("%s", wrong).isEqualTo(401);
        assertThat(wrong.text()).doesNotContain("guess-123");
        assertThat(wrong.headerOrEmpty("WWW-Authenticate")).startsWith("Basic realm=");
        Response unknownUser = http.call("GET", "/v2/").header("Authorization", basic("mallory", "x")).send();
        assertThat(unknownUser.status()).isEqualTo(401);
    }

    @Test
    void aUserAddedToTheFileCanLogInWithoutARestartAndARemovedOneNoLonger() throws Exception {
        Response before = http.call("GET", "/v2/").header("Authorization", basic("bob", "bob-secret")).send();
        assertThat(before.status()).isEqualTo(401);
        assertThat(http.call("GET", "/v2/").header("Authorization", basic("alice", "alice-secret")).send().status()).isEqualTo(200);

        Files.writeString(htpasswd, "bob:" + BCrypt.hashpw("bob-secret", BCrypt.gensalt(4)) + "\n");
        Files.setLastModifiedTime(htpasswd, FileTime.from(Instant.now().plusSeconds(5)));
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> assertThat(
                http.call("GET", "/v2/").header("Authorization", basic("bob", "bob-secret")).send().status()).isEqualTo(200));
        // alice's earlier success was remembered; the reload forgets it.
        assertThat(http.call("GET", "/v2/").header("Authorization", basic("alice", "alice-secret")).send().status())
                .isEqualTo(401);
    }
}
