package dev.fleetmirror.node.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fleetmirror.coordination.StandaloneCoordination;
import dev.fleetmirror.coordination.limit.RequestRate;
import dev.fleetmirror.coordination.limit.RateLimit;
import dev.fleetmirror.node.FleetMirrorNode;
import dev.fleetmirror.node.upstream.UpstreamCaller;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import dev.fleetmirror.node.auth.BasicCredentials;
import dev.fleetmirror.node.config.ConfigException;
import dev.fleetmirror.node.config.ConfigLoader;
import dev.fleetmirror.node.config.HttpConfig;
import dev.fleetmirror.node.config.NodeConfig;
import dev.fleetmirror.node.config.StorageBackend;
import dev.fleetmirror.node.config.StorageConfig;
import dev.fleetmirror.node.config.UpstreamConfig;
import dev.fleetmirror.node.proxy.TestImage;
import dev.fleetmirror.node.testing.RegistryHttpClient;
import io.vertx.core.Vertx;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pass-through check against a real upstream (a Fleet Mirror node with htpasswd users and access
 * rules: alice reads alice/**, bob does not): one caller's answer never stands for another's, a
 * changed password asks again, and repeated checks within the TTL ask the upstream once. Also the
 * start-up refusal of a private upstream without client authentication.
 */
class UpstreamCredentialCheckTest {
    @TempDir
    Path work;

    private final Vertx vertx = Vertx.vertx();
    private final StandaloneCoordination coordination = new StandaloneCoordination();

    @AfterEach
    void stop() throws Exception {
        coordination.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** A Fleet Mirror node as the upstream, configured by {@code yaml}, on loopback, storing under {@code root}. */
    private static FleetMirrorNode startUpstream(String yaml, Path root) throws Exception {
        NodeConfig config = ConfigLoader.fromYaml(yaml, Map.of()).withHttp(HttpConfig.loopback(0))
                .withStorage(StorageConfig.of(new StorageBackend.Filesystem(root)));
        return FleetMirrorNode.start(config).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @Test
    void answersArePerUserAndPasswordAndRememberedForTheTtl() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/htpasswd")), "htpasswd (apache2-utils) is not installed");
        Path htpasswd = work.resolve("htpasswd");
        run("htpasswd", "-Bbc", htpasswd.toString(), "alice", "alice-secret");
        run("htpasswd", "-Bb", htpasswd.toString(), "bob", "bob-secret");
        FleetMirrorNode upstream = startUpstream("""
                auth:
                  htpasswd:
                    realm: upstream
                    path: %s
                access:
                  - repository: "alice/**"
                    users: [alice]
                    actions: [pull, push]
                """.formatted(htpasswd), work.resolve("upstream"));
        UpstreamCredentialCheck check = new UpstreamCredentialCheck(Duration.ofMinutes(1), Clock.systemUTC());
        try {
            URI uri = URI.create("http://127.0.0.1:" + upstream.port());
            TestImage.random(3, 1000).push(uri, "alice/app", "1", "Authorization", basic("alice", "alice-secret"));
            UpstreamConfig config = new UpstreamConfig("up", uri, Optional.of("alice"), Optional.of("alice-secret"),
                    "up/", true);
            BasicCredentials alice = new BasicCredentials("alice", "alice-secret");
            BasicCredentials bob = new BasicCredentials("bob", "bob-secret");

            UpstreamCaller caller = caller(config);
            assertThat(ask(check, caller, alice)).isTrue();
            double asked = tagListRequests(uri);
            assertThat(ask(check, caller, alice)).isTrue();
            assertThat(tagListRequests(uri)).as("remembered").isEqualTo(asked);
            assertThat(ask(check, caller, bob)).as("alice's answer is not bob's").isFalse();
            assertThat(ask(check, caller, new BasicCredentials("alice", "guess"))).as("another password asks again").isFalse();
            assertThat(tagListRequests(uri)).isEqualTo(asked + 2);
            // An upstream that cannot answer is an error, not a yes.
            UpstreamConfig down = new UpstreamConfig("down", URI.create("http://127.0.0.1:9"), Optional.empty(),
                    Optional.empty(), "down/", true);
            UpstreamCaller unreachable = caller(down);
            assertThatThrownBy(() -> ask(check, unreachable, alice)).isNotNull();
        } finally {
            upstream.close(1).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    /**
     * The checks go through the upstream's caller: its rate limit holds them back, so a flood of
     * scopes cannot lock a user's upstream account or get the mirror banned. Counted at the upstream.
     */
    @Test
    void credentialChecksKeepToTheUpstreamsRateLimit() throws Exception {
        FleetMirrorNode upstream = startUpstream("version: 0.1\n", work.resolve("limited"));
        UpstreamCredentialCheck check = new UpstreamCredentialCheck(Duration.ofMinutes(1), Clock.systemUTC());
        try {
            URI uri = URI.create("http://127.0.0.1:" + upstream.port());
            UpstreamConfig limited = new UpstreamConfig("up", uri, Optional.of("robot"), Optional.of("pw"), "up/", true)
                    .withLimit(RateLimit.requests(new RequestRate(0.1, 2), Duration.ofMillis(500)));
            UpstreamCaller caller = caller(limited);
            BasicCredentials bob = new BasicCredentials("bob", "bob-secret");
            double before = tagListRequests(uri);
            List<CompletableFuture<Boolean>> checks = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                checks.add(check.allowed(caller, "team/r" + i, bob).toCompletionStage().toCompletableFuture());
            }
            int answered = 0;
            for (CompletableFuture<Boolean> asked : checks) {
                try {
                    asked.get(20, TimeUnit.SECONDS);
                    answered++;
                } catch (java.util.concurrent.ExecutionException throttled) {
                    assertThat(throttled.getCause()).hasMessageContaining("up");
                }
            }
            assertThat(answered).as("the burst of two, no more").isEqualTo(2);
            assertThat(tagListRequests(uri) - before).as("tag-list requests the upstream received").isEqualTo(2);
        } finally {
            upstream.close(1).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aPrivateUpstreamWithoutClientAuthenticationStopsTheStart() {
        String upstream = """
                upstreams:
                  - name: corp
                    url: https://registry.example
                    prefix: corp/
                    username: robot
                    password: s3cret
                """;
        assertThatThrownBy(() -> ConfigLoader.fromYaml(upstream, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("upstream 'corp' has credentials")
                .hasMessageContaining("allowAnonymousPrivateUpstream: true")
                .hasMessageNotContaining("s3cret");
        assertThat(ConfigLoader.fromYaml(upstream + "allowAnonymousPrivateUpstream: true\n", Map.of())
                .proxy().allowAnonymousPrivateUpstream()).isTrue();
        NodeConfig publicContent = ConfigLoader.fromYaml(upstream.replace("password: s3cret", "password: s3cret\n    private: false"),
                Map.of());
        assertThat(publicContent.proxy().upstreams().get(0).privacy().isPrivate()).isFalse();
        // Without credentials an upstream is public unless it says otherwise; the default node starts.
        assertThat(ConfigLoader.fromYaml("""
                upstreams:
                  - url: https://registry.example
                    prefix: pub/
                """, Map.of()).proxy().upstreams().get(0).privacy()).isEqualTo(UpstreamConfig.Privacy.PUBLIC);
        assertThat(ConfigLoader.load(Optional.empty(), Map.of()).proxy().upstreams()).hasSize(1);
        assertThatThrownBy(() -> ConfigLoader.fromYaml("""
                upstreams:
                  - url: https://registry.example
                    prefix: pub/
                    passThroughAuth: true
                """, Map.of())).hasMessageContaining("passThroughAuth");
    }

    private UpstreamCaller caller(UpstreamConfig config) {
        return new UpstreamCaller(vertx, vertx.getOrCreateContext(), config, coordination.upstreamTokens(),
                coordination.limits());
    }

    private static boolean ask(UpstreamCredentialCheck check, UpstreamCaller upstream, BasicCredentials credentials)
            throws Exception {
        return check.allowed(upstream, "alice/app", credentials).toCompletionStage().toCompletableFuture()
                .get(20, TimeUnit.SECONDS);
    }

    private static double tagListRequests(URI upstream) {
        String metrics = new RegistryHttpClient(upstream).call("GET", "/metrics").send().text();
        Matcher m = Pattern.compile("^fleetmirror_http_requests_total\\{code=\"(\\d+)\",method=\"GET\",route=\"tags\"\\} (\\S+)$",
                Pattern.MULTILINE).matcher(metrics);
        double total = 0;
        while (m.find()) {
            total += Double.parseDouble(m.group(2));
        }
        return total;
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static void run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getInputStream().readAllBytes();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isZero();
    }
}
