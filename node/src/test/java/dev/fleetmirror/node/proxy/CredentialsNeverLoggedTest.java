package dev.fleetmirror.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import dev.fleetmirror.core.manifest.MediaTypes;
import dev.fleetmirror.node.config.ConfigLoader;
import dev.fleetmirror.node.config.UpstreamConfig;
import dev.fleetmirror.node.testing.RegistryHttpClient;
import dev.fleetmirror.node.testing.TestUsers;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Everything the node logs at debug level, every library included, while it pulls through an
 * upstream behind token authentication with a username and password, is refused by a second
 * upstream for a wrong password, meets a token realm on a foreign host, and serves clients that
 * send Authorization headers: neither password, nor the Basic credentials made of them, nor a
 * client's header value ever appears in the log. The same for a node with client authentication
 * (htpasswd, its own token service) serving a private upstream: users' passwords, right or wrong,
 * and the tokens it issues or refuses stay out of the log.
 */
class CredentialsNeverLoggedTest {
    private static final String UPSTREAM_PASSWORD = "upstream-pw-7Qx9";
    private static final String WRONG_PASSWORD = "wrong-pw-K2v8";
    private static final String FOREIGN_PASSWORD = "foreign-pw-Zt4m";
    private static final String CLIENT_PASSWORD = "client-pw-Lp3r";
    private static final String CLIENT_TOKEN = "client-token-Hs6d";

    @TempDir
    Path work;

    @RegisterExtension
    final MirrorRig rig = new MirrorRig();

    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
    private OutputStreamAppender<ILoggingEvent> appender;
    private final Map<Logger, Level> previousLevels = new java.util.HashMap<>();

    @BeforeEach
    void captureEverythingAtDebug() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%level %logger - %msg %mdc%n%ex");
        encoder.start();
        appender = new OutputStreamAppender<>();
        appender.setContext(context);
        appender.setEncoder(encoder);
        appender.setOutputStream(captured);
        appender.start();
        root.addAppender(appender);
        // Every logger with a level of its own (the access log, Hazelcast...) is opened to debug too.
        for (Logger logger : context.getLoggerList()) {
            if (logger.getLevel() != null) {
                previousLevels.put(logger, logger.getLevel());
                logger.setLevel(Level.DEBUG);
            }
        }
    }

    @AfterEach
    void stopCapturing() {
        Logger root = ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        previousLevels.forEach(Logger::setLevel);
        root.detachAppender(appender);
        appender.stop();
    }

    @Test
    void passwordsAndAuthorizationHeadersNeverReachTheLog() throws Exception {
        rig.startUpstream(work, "upstream", "");
        TestImage image = TestImage.random(70, 20_000);
        image.push(rig.upstream().baseUri(), "team/app", "v1");
        rig.track(TokenGate.start(rig.upstream().baseUri(), "robot", UPSTREAM_PASSWORD, "127.0.0.1"));
        TokenGate foreign = TokenGate.start(rig.upstream().baseUri(), "robot", FOREIGN_PASSWORD, "localhost");
        try {
            // Public content, so that anonymous test clients may pull: what is tested is what reaches the log.
            rig.startNode(work.resolve("node"), work.resolve("spool"), Duration.ofMinutes(1),
                    new UpstreamConfig("gated", rig.gate().baseUri(), Optional.of("robot"), Optional.of(UPSTREAM_PASSWORD), "", true)
                            .withPrivacy(UpstreamConfig.Privacy.PUBLIC),
                    new UpstreamConfig("wrong", rig.gate().baseUri(), Optional.of("robot"), Optional.of(WRONG_PASSWORD), "wrong/", true)
                            .withPrivacy(UpstreamConfig.Privacy.PUBLIC),
                    new UpstreamConfig("foreign", foreign.baseUri(), Optional.of("robot"), Optional.of(FOREIGN_PASSWORD), "foreign/",
                            true).withPrivacy(UpstreamConfig.Privacy.PUBLIC));
            RegistryHttpClient client = new RegistryHttpClient(MirrorFixture.uri(rig.node()));
            String basic = "Basic " + base64("alice:" + CLIENT_PASSWORD);
            List<Integer> statuses = new java.util.ArrayList<>();
            for (String repo : List.of("team/app", "wrong/team/app", "foreign/team/app", "team/missing")) {
                for (String header : List.of(basic, "Bearer " + CLIENT_TOKEN)) {
                    statuses.add(client.call("GET", "/v2/" + repo + "/manifests/v1").header("Accept", MediaTypes.OCI_MANIFEST)
                            .header("Authorization", header).send().status());
                    statuses.add(client.call("GET", "/v2/" + repo + "/blobs/" + image.blobDigests().get(0))
                            .header("Authorization", header).send().status());
                }
            }
            assertThat(statuses).as("the pulls took their paths: served, refused, not found").contains(200, 403, 404);
            // The configuration path too: an error in a file that holds a password.
            assertThatThrownBy(() -> ConfigLoader.fromYaml("upstreams:\n  - url: https://robot:" + UPSTREAM_PASSWORD
                    + "@registry.example\n    password: " + UPSTREAM_PASSWORD + "\n", Map.of())).isNotNull();
            rig.stopNode();
        } finally {
            foreign.close();
        }

        String log = captured.toString(StandardCharsets.UTF_8);
        assertThat(log).as("debug lines were captured").contains("DEBUG");
        assertThat(log).as("the access log was captured").contains("GET /v2/team/app/manifests/v1 HTTP/1.1\" 200");
        assertThat(log).as("the foreign realm was noticed").contains("outside its own domain");
        for (String secret : List.of(UPSTREAM_PASSWORD, WRONG_PASSWORD, FOREIGN_PASSWORD, CLIENT_PASSWORD, CLIENT_TOKEN,
                base64("robot:" + UPSTREAM_PASSWORD), base64("robot:" + WRONG_PASSWORD), base64("robot:" + FOREIGN_PASSWORD),
                base64("alice:" + CLIENT_PASSWORD))) {
            assertThat(log).as("the log holds " + secret).doesNotContain(secret);
        }
    }

    @Test
    void clientCredentialsAndTokensOfANodeWithAuthenticationNeverReachTheLog() throws Exception {
        rig.startUpstream(work, "upstream", "");
        TestImage image = TestImage.random(71, 10_000);
        image.push(rig.upstream().baseUri(), "team/app", "v1");
        rig.track(TokenGate.start(rig.upstream().baseUri(), "robot", UPSTREAM_PASSWORD, "127.0.0.1"));
        Path htpasswd = TestUsers.htpasswd(work.resolve("htpasswd"), Map.of("alice", CLIENT_PASSWORD));
        // The upstream is private (it has credentials): only authenticated callers the rules admit read it.
        dev.fleetmirror.node.config.NodeConfig config = ConfigLoader.fromYaml(TestUsers.loopbackNodeYaml(work.resolve("storage")) + """
                proxy:
                  spooldirectory: %s
                upstreams:
                  - name: gated
                    url: %s
                    username: robot
                    password: %s
                auth:
                  htpasswd:
                    path: %s
                  token:
                    service: fleet-mirror
                    issuer: fleet-mirror
                  tokenservice:
                    expiration: 5m
                access:
                  - repository: "**"
                    users: ["*"]
                    actions: [pull, push]
                """.formatted(work.resolve("spool"), rig.gate().baseUri(), UPSTREAM_PASSWORD, htpasswd),
                Map.of());
        dev.fleetmirror.node.FleetMirrorNode node = dev.fleetmirror.node.FleetMirrorNode.start(config)
                .toCompletionStage().toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
        List<String> tokens = new java.util.ArrayList<>();
        try {
            RegistryHttpClient client = new RegistryHttpClient(MirrorFixture.uri(node));
            String alice = "Basic " + base64("alice:" + CLIENT_PASSWORD);
            RegistryHttpClient.Response token = client.call("GET", "/token?service=fleet-mirror&scope=repository:team/app:pull")
                    .header("Authorization", alice).send();
            assertThat(token.status()).as(token.toString()).isEqualTo(200);
            tokens.add(token.json().path("token").asText());
            RegistryHttpClient.Response withToken = client.call("GET", "/v2/team/app/manifests/v1")
                    .header("Accept", MediaTypes.OCI_MANIFEST).header("Authorization", "Bearer " + tokens.get(0)).send();
            RegistryHttpClient.Response withBasic = client.call("GET", "/v2/team/app/blobs/" + image.blobDigests().get(0))
                    .header("Authorization", alice).send();
            RegistryHttpClient.Response wrongPassword = client.call("GET", "/v2/team/app/manifests/v1")
                    .header("Authorization", "Basic " + base64("alice:" + WRONG_PASSWORD)).send();
            RegistryHttpClient.Response forgedToken = client.call("GET", "/v2/team/app/manifests/v1")
                    .header("Authorization", "Bearer " + CLIENT_TOKEN).send();
            RegistryHttpClient.Response wrongTokenRequest = client.call("GET", "/token?service=fleet-mirror&scope=repository:team/app:pull")
                    .header("Authorization", "Basic " + base64("alice:" + WRONG_PASSWORD)).send();

            assertThat(withToken.status()).as(withToken.toString()).isEqualTo(200);
            assertThat(withBasic.status()).as(withBasic.toString()).isEqualTo(200);
            assertThat(wrongPassword.status()).isEqualTo(401);
            assertThat(forgedToken.status()).isEqualTo(401);
            assertThat(wrongTokenRequest.status()).isEqualTo(401);
        } finally {
            MirrorFixture.stop(node);
        }

        String log = captured.toString(StandardCharsets.UTF_8);
        assertThat(log).as("the access log was captured").contains("GET /v2/team/app/manifests/v1 HTTP/1.1\" 200")
                .contains("GET /token HTTP/1.1\" 200");
        for (String secret : List.of(UPSTREAM_PASSWORD, WRONG_PASSWORD, CLIENT_PASSWORD, CLIENT_TOKEN, tokens.get(0),
                base64("robot:" + UPSTREAM_PASSWORD), base64("alice:" + CLIENT_PASSWORD), base64("alice:" + WRONG_PASSWORD))) {
            assertThat(log).as("the log holds " + secret).doesNotContain(secret);
        }
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
