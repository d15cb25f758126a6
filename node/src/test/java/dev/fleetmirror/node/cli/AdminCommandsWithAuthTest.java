package dev.fleetmirror.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fleetmirror.core.testing.LocalProcesses;
import dev.fleetmirror.node.FleetMirrorNode;
import dev.fleetmirror.node.testing.TestUsers;
import dev.fleetmirror.node.auth.BasicCredentials;
import dev.fleetmirror.node.config.ConfigLoader;
import dev.fleetmirror.node.proxy.TestImage;
import dev.fleetmirror.node.testing.RegistryHttpClient;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fleetmirror mode} and {@code fleetmirror warm} against a node with {@code auth:} on
 * (htpasswd, the built-in token service, {@code auth.admins: [root]}): an admin's password (given or
 * read from standard input) or token works; no credentials, a wrong password or a user who is not an
 * admin get a message saying which; a node that does not answer is named, with the reason.
 */
class AdminCommandsWithAuthTest {
    private static final String ROOT_PASSWORD = "root-pw-7f3a";
    private static final String BOB_PASSWORD = "bob-pw-91c2";

    @TempDir
    Path dir;

    private FleetMirrorNode node;
    private URI server;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void start() throws Exception {
        Path htpasswd = TestUsers.htpasswd(dir.resolve("htpasswd"), Map.of("root", ROOT_PASSWORD, "bob", BOB_PASSWORD));
        node = FleetMirrorNode.start(ConfigLoader.fromYaml(TestUsers.loopbackNodeYaml(dir.resolve("storage")) + """
                auth:
                  htpasswd:
                    realm: admin-cli
                    path: %s
                  token:
                    service: fleet-mirror
                    issuer: fleet-mirror
                  tokenservice:
                    expiration: 5m
                  admins: [root]
                access:
                  - repository: "**"
                    users: ["*"]
                    actions: [pull, push]
                """.formatted(htpasswd), Map.of()))
                .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        server = URI.create("http://127.0.0.1:" + node.port());
    }

    @AfterEach
    void stop() throws Exception {
        if (node != null) {
            node.close(1).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    private int mode(String stdin, String... args) {
        ModeCommand command = new ModeCommand();
        command.node.stdin = new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8));
        return execute(new picocli.CommandLine(command), args);
    }

    private int warm(String... args) {
        return execute(new picocli.CommandLine(new WarmCommand()), args);
    }

    private int execute(picocli.CommandLine command, String... args) {
        command.setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
        return command.execute(args);
    }

    @Test
    void anAdminsPasswordFromStandardInputOrTheCommandLineSwitchesTheMode() {
        assertThat(mode(ROOT_PASSWORD + "\n", "read-only", "--server", server.toString(), "--username", "root",
                "--password-stdin")).as(err.toString()).isZero();
        assertThat(node.coordination().mode().current().name()).isEqualTo("READ_ONLY");
        assertThat(mode("", "status", "--server", server.toString(), "--username", "root", "--password", ROOT_PASSWORD))
                .as(err.toString()).isZero();
        assertThat(out.toString()).contains("READ_ONLY");
        assertThat(mode(ROOT_PASSWORD, "read-write", "--server", server.toString(), "--username", "root",
                "--password-stdin")).as(err.toString()).isZero();
        assertThat(node.coordination().mode().current().name()).isEqualTo("READ_WRITE");
    }

    @Test
    void anAdminsTokenWarmsAnImage() {
        TestImage image = TestImage.random(401, 12_000);
        image.push(server, "team/app", "1", "Authorization", new BasicCredentials("bob", BOB_PASSWORD).header());
        RegistryHttpClient.Response issued = new RegistryHttpClient(server)
                .call("GET", "/token?service=fleet-mirror&account=root")
                .header("Authorization", new BasicCredentials("root", ROOT_PASSWORD).header()).send();
        assertThat(issued.status()).as(issued.toString()).isEqualTo(200);
        String token = issued.json().path("token").asText();

        assertThat(warm("team/app:1", "--server", server.toString(), "--token", token)).as(err.toString()).isZero();
        assertThat(out.toString()).contains("warmed 1 of 1 images").contains("already cached");

        assertThat(warm("team/app:1", "--server", server.toString(), "--token", token + "x")).isEqualTo(1);
        assertThat(err.toString()).contains("answered 401").contains("not accepted");
    }

    @Test
    void withoutCredentialsTheMessageSaysWhichOptionsToGive() {
        assertThat(mode("", "read-only", "--server", server.toString())).isEqualTo(1);
        assertThat(err.toString()).contains(server + "/admin/v1/mode answered 401")
                .contains("--username").contains("--password-stdin").contains("--token");
        assertThat(node.coordination().mode().current().name()).isEqualTo("READ_WRITE");

        err.getBuffer().setLength(0);
        assertThat(warm("team/app:1", "--server", server.toString())).isEqualTo(1);
        assertThat(err.toString()).contains(server + "/admin/v1/warm answered 401").contains("--username");
    }

    @Test
    void aWrongPasswordOrAUserWhoIsNoAdminIsRefusedSayingSo() {
        assertThat(mode("", "read-only", "--server", server.toString(), "--username", "root", "--password", "wrong-one"))
                .isEqualTo(1);
        assertThat(err.toString()).contains("answered 401").contains("not accepted").doesNotContain("wrong-one");

        err.getBuffer().setLength(0);
        assertThat(mode(BOB_PASSWORD + "\n", "read-only", "--server", server.toString(), "--username", "bob",
                "--password-stdin")).isEqualTo(1);
        assertThat(err.toString()).contains("answered 403").contains("'bob' is not an admin").doesNotContain(BOB_PASSWORD);
        assertThat(node.coordination().mode().current().name()).isEqualTo("READ_WRITE");
    }

    @Test
    void incompleteCredentialOptionsAreAUsageError() {
        assertThat(mode("", "status", "--server", server.toString(), "--username", "root")).isEqualTo(2);
        assertThat(err.toString()).contains("--username needs --password-stdin or --password");
        assertThat(mode("", "status", "--server", server.toString(), "--password", ROOT_PASSWORD)).isEqualTo(2);
        assertThat(err.toString()).contains("need --username");
        assertThat(mode("", "status", "--server", server.toString(), "--username", "root", "--password-stdin")).isEqualTo(2);
        assertThat(err.toString()).contains("standard input held no password");
    }

    @Test
    void aNodeThatDoesNotAnswerIsNamedWithTheReason() {
        int closed = LocalProcesses.freeLoopbackPort();
        assertThat(mode("", "status", "--server", "http://127.0.0.1:" + closed, "--username", "root", "--password",
                ROOT_PASSWORD)).isEqualTo(1);
        assertThat(err.toString()).contains("no answer from http://127.0.0.1:" + closed + "/admin/v1/mode: connection refused")
                .doesNotContain("null");

        err.getBuffer().setLength(0);
        assertThat(warm("team/app:1", "--server", "http://fleetmirror-test-host.invalid:5000")).isEqualTo(1);
        assertThat(err.toString()).contains("no answer from http://fleetmirror-test-host.invalid:5000/admin/v1/warm: "
                + "its host name does not resolve");
    }
}
