package dev.fleetmirror.node.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.fleetmirror.node.FleetMirrorNode;
import dev.fleetmirror.node.auth.BasicCredentials;
import dev.fleetmirror.node.config.ConfigLoader;
import dev.fleetmirror.node.testing.CapturedLogs;
import dev.fleetmirror.node.testing.RegistryHttpClient;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.security.crypto.bcrypt.BCrypt;

/**
 * The access log names who a request was admitted as: the user a password or token was verified
 * for ({@code user=alice}, and {@code user} among the key-value pairs of the JSON format), {@code -}
 * for an anonymous caller or a refused one; what the client sent as credentials never appears.
 */
class AccessLogUserTest {
    private static final String PASSWORD = "alice-pw-51c9";

    @RegisterExtension
    final CapturedLogs accessLog = new CapturedLogs(AccessLog.LOGGER, Level.INFO);

    @TempDir
    Path dir;
    private final List<FleetMirrorNode> nodes = new ArrayList<>();
    private URI server;

    @BeforeEach
    void startWithAuth() throws Exception {
        Path htpasswd = dir.resolve("htpasswd");
        Files.writeString(htpasswd, "alice:" + BCrypt.hashpw(PASSWORD, BCrypt.gensalt(4)) + "\n");
        server = node("users", "auth: {htpasswd: {realm: access-log, path: '" + htpasswd + "'},"
                + " token: {service: fleet-mirror, issuer: fleet-mirror}, tokenservice: {expiration: 5m}, admins: [alice]}\n"
                + "access: [{repository: '**', users: ['*'], actions: [pull, push]}]\n");
    }

    /** A node on loopback storing under {@code name}, with {@code settings} added to its configuration. */
    private URI node(String name, String settings) throws Exception {
        String yaml = "http: {addr: '127.0.0.1:0'}\nstorage: {filesystem: {rootdirectory: '" + dir.resolve(name) + "'}}\n";
        FleetMirrorNode node = FleetMirrorNode.start(ConfigLoader.fromYaml(yaml + settings, Map.of()))
                .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        nodes.add(node);
        return URI.create("http://127.0.0.1:" + node.port());
    }

    @AfterEach
    void stop() throws Exception {
        for (FleetMirrorNode node : nodes) {
            node.close(1).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aUserWithAPasswordIsNamedAndTheirPasswordIsNot() {
        assertThat(get("/v2/_catalog", "basic-1", new BasicCredentials("alice", PASSWORD).header())).isEqualTo(200);
        ILoggingEvent line = line("basic-1");
        assertThat(line.getFormattedMessage()).contains(" 200 ").contains("id=basic-1 user=alice");
        assertThat(keyValue(line, "user")).hasValue("alice");
        assertNoCredentialLogged(PASSWORD);
    }

    @Test
    void aUserWithATokenIsNamedAndTheTokenIsNot() {
        RegistryHttpClient.Response issued = new RegistryHttpClient(server)
                .call("GET", "/token?service=fleet-mirror&scope=repository:team/app:pull")
                .header("Authorization", new BasicCredentials("alice", PASSWORD).header()).send();
        assertThat(issued.status()).as(issued.toString()).isEqualTo(200);
        String token = issued.json().path("token").asText();
        assertThat(get("/v2/team/app/tags/list", "bearer-1", "Bearer " + token)).isEqualTo(404);
        ILoggingEvent line = line("bearer-1");
        assertThat(line.getFormattedMessage()).contains("id=bearer-1 user=alice");
        assertThat(keyValue(line, "user")).hasValue("alice");
        assertNoCredentialLogged(token);
        assertNoCredentialLogged(token.substring(token.lastIndexOf('.') + 1));
    }

    @Test
    void anAdminReachingAnAdminEndpointIsNamedAndARefusedOneIsADash() {
        assertThat(get("/admin/v1/mode", "admin-1", new BasicCredentials("alice", PASSWORD).header())).isEqualTo(200);
        ILoggingEvent line = line("admin-1");
        assertThat(line.getFormattedMessage()).contains(" 200 ").contains("id=admin-1 user=alice");
        assertThat(keyValue(line, "user")).hasValue("alice");
        assertThat(get("/admin/v1/mode", "admin-2", null)).isEqualTo(401);
        assertThat(line("admin-2").getFormattedMessage()).contains("id=admin-2 user=-");
        assertNoCredentialLogged(PASSWORD);
    }

    @Test
    void anonymousAndRefusedCallersAreADash() {
        assertThat(get("/v2/", "anonymous-1", null)).isEqualTo(401);
        assertThat(get("/v2/", "wrong-1", new BasicCredentials("alice", "not-" + PASSWORD).header())).isEqualTo(401);
        for (String id : List.of("anonymous-1", "wrong-1")) {
            ILoggingEvent line = line(id);
            assertThat(line.getFormattedMessage()).contains("id=" + id + " user=-");
            assertThat(keyValue(line, "user")).hasValue("-");
        }
        assertNoCredentialLogged("not-" + PASSWORD);
    }

    @Test
    void withoutAuthEveryCallerIsAnonymousWhateverNameItSends() throws Exception {
        URI open = node("open", "");
        // Basic credentials nobody checked (an open node passes them on to private upstreams): no user.
        RegistryHttpClient.Call call = new RegistryHttpClient(open).call("GET", "/v2/").header("X-Request-Id", "open-1")
                .header("Authorization", new BasicCredentials("mallory", "whatever-pw").header());
        assertThat(call.send().status()).isEqualTo(200);
        ILoggingEvent line = line("open-1");
        assertThat(line.getFormattedMessage()).contains("id=open-1 user=-").doesNotContain("mallory");
        assertThat(keyValue(line, "user")).hasValue("-");
        assertNoCredentialLogged("whatever-pw");
    }

    @Test
    void aUserNameIsOneFieldWhateverItsIssuerWroteIntoIt() {
        assertThat(AccessLog.printable("alice")).isEqualTo("alice");
        assertThat(AccessLog.printable("ci@corp.example")).isEqualTo("ci@corp.example");
        assertThat(AccessLog.printable("eve\n127.0.0.1 \"GET /")).isEqualTo("eve%0A127.0.0.1%20%22GET%20/");
        assertThat(AccessLog.printable("zoë")).isEqualTo("zo%C3%AB");
        assertThat(AccessLog.printable("")).isEqualTo("-");
    }

    private int get(String path, String requestId, String authorization) {
        RegistryHttpClient.Call call = new RegistryHttpClient(server).call("GET", path).header("X-Request-Id", requestId);
        if (authorization != null) {
            call.header("Authorization", authorization);
        }
        return call.send().status();
    }

    /** The access log line of one request; it is written as the response ends. */
    private ILoggingEvent line(String requestId) {
        return await().atMost(Duration.ofSeconds(10)).until(() -> accessLog.events().stream()
                .filter(e -> e.getFormattedMessage().contains("id=" + requestId + " ")).findFirst(), Optional::isPresent).get();
    }

    private static Optional<String> keyValue(ILoggingEvent event, String key) {
        return Optional.ofNullable(event.getKeyValuePairs()).orElse(List.of()).stream()
                .filter(pair -> pair.key.equals(key)).map(pair -> String.valueOf(pair.value)).findFirst();
    }

    private void assertNoCredentialLogged(String secret) {
        for (ILoggingEvent event : accessLog.events()) {
            assertThat(event.getFormattedMessage()).doesNotContain(secret);
            assertThat(String.valueOf(event.getKeyValuePairs())).doesNotContain(secret);
        }
    }
}
