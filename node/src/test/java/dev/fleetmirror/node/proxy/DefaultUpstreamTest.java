package dev.fleetmirror.node.proxy;

import static dev.fleetmirror.node.proxy.MirrorFixture.requests;
import static dev.fleetmirror.node.proxy.MirrorFixture.uri;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.manifest.MediaTypes;
import dev.fleetmirror.node.FleetMirrorNode;
import dev.fleetmirror.node.config.ConfigLoader;
import dev.fleetmirror.node.config.NodeConfig;
import dev.fleetmirror.node.testing.DistributionProcess;
import dev.fleetmirror.node.testing.RegistryHttpClient;
import dev.fleetmirror.node.testing.TestUsers;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * dockerd's {@code registry-mirrors} asks a mirror for bare Docker Hub names ({@code library/redis}):
 * with a {@code default: true} upstream they reach it, as the same cache entry and under the same
 * access rules as the prefixed name, while the hosted namespaces beside it still accept pushes.
 */
class DefaultUpstreamTest {
    private static final String ALICE = TestUsers.basic("alice", "alice-pw");
    private static final String BOB = TestUsers.basic("bob", "bob-pw");
    private static final String CAROL = TestUsers.basic("carol", "carol-pw");

    @TempDir
    Path work;

    @RegisterExtension
    final MirrorRig rig = new MirrorRig();

    private FleetMirrorNode node;

    @AfterEach
    void stopNode() throws Exception {
        MirrorFixture.stop(node);
    }

    private URI mirror(URI upstream) throws Exception {
        Path htpasswd = TestUsers.htpasswd(work.resolve("htpasswd"),
                Map.of("alice", "alice-pw", "bob", "bob-pw", "carol", "carol-pw"));
        NodeConfig config = ConfigLoader.fromYaml(TestUsers.loopbackNodeYaml(work.resolve("mirror-storage")) + """
                proxy:
                  spooldirectory: %s
                  hosted: [team/]
                upstreams:
                  - name: docker.io
                    url: %s
                    prefix: docker.io/
                    default: true
                auth:
                  htpasswd:
                    path: %s
                access:
                  - {repository: "docker.io/**", users: [alice, bob], actions: [pull]}
                  - {repository: "team/**", users: [alice], actions: [pull, push]}
                  - {repository: "team/**", users: [bob], actions: [pull]}
                """.formatted(work.resolve("mirror-spool"), upstream, htpasswd), Map.of());
        node = FleetMirrorNode.start(config).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        return uri(node);
    }

    @Test
    void bareNamesReachTheDefaultUpstreamWhileHostedNamesAcceptPushes() throws Exception {
        DistributionProcess upstream = rig.startUpstream(work, "hub", "");
        TestImage redis = TestImage.random(91, 20_000);
        redis.push(upstream.baseUri(), "library/redis", "7");
        URI mirror = mirror(upstream.baseUri());
        RegistryHttpClient client = new RegistryHttpClient(mirror);

        // What dockerd sends for docker.io/library/redis:7 with registry-mirrors pointing at the node.
        RegistryHttpClient.Response manifest = manifest(client, "library/redis", "7", ALICE);
        assertThat(manifest.status()).as(manifest.toString()).isEqualTo(200);
        assertThat(manifest.body()).isEqualTo(redis.manifest());
        for (Digest blob : redis.blobDigests()) {
            RegistryHttpClient.Response fetched = client.call("GET", "/v2/library/redis/blobs/" + blob)
                    .header("Authorization", ALICE).send();
            assertThat(fetched.status()).as(fetched.toString()).isEqualTo(200);
            assertThat(Digest.sha256(fetched.body())).isEqualTo(blob);
        }
        assertThat(requests(upstream, "GET", "/v2/library/redis/manifests/7")).isEqualTo(1);

        // The bare name is the prefixed name: one cache entry, one set of access rules.
        assertThat(manifest(client, "docker.io/library/redis", "7", BOB).body()).isEqualTo(redis.manifest());
        assertThat(manifest(client, "library/redis", "7", BOB).status()).isEqualTo(200);
        assertThat(requests(upstream, "GET", "/v2/library/redis/manifests/7")).as("served from the cache").isEqualTo(1);
        RegistryHttpClient.Response carol = manifest(client, "library/redis", "7", CAROL);
        assertThat(carol.status()).as("no rule lets carol read docker.io/**: %s", carol).isEqualTo(403);
        assertThat(manifest(client, "library/redis", "7", null).status()).as("anonymous").isEqualTo(401);

        // Hosted namespaces beside the default still take pushes, from those the rules let push.
        TestImage app = TestImage.random(92, 3_000);
        app.push(mirror, "team/app", "1", "Authorization", ALICE);
        RegistryHttpClient.Response pushed = manifest(client, "team/app", "1", BOB);
        assertThat(pushed.status()).as(pushed.toString()).isEqualTo(200);
        assertThat(pushed.body()).isEqualTo(app.manifest());
        assertThat(requests(upstream, "HEAD", "/v2/team/app/manifests/1") + requests(upstream, "GET", "/v2/team/app/manifests/1"))
                .as("a hosted name never goes upstream").isZero();
        RegistryHttpClient.Response bobPush = client.call("POST", "/v2/team/app/blobs/uploads/").header("Authorization", BOB).send();
        assertThat(bobPush.status()).as("bob may only pull team/**: %s", bobPush).isEqualTo(403);

        // A push to a bare name lands in the mirrored namespace, where nobody may push.
        RegistryHttpClient.Response barePush = client.call("PUT", "/v2/library/redis/manifests/mine")
                .header("Authorization", ALICE).header("Content-Type", MediaTypes.OCI_MANIFEST).body(app.manifest()).send();
        assertThat(barePush.status()).as(barePush.toString()).isIn(403, 405);
        assertThat(requests(upstream, "PUT", "/v2/library/redis/manifests/mine")).isZero();
    }

    private static RegistryHttpClient.Response manifest(RegistryHttpClient client, String repo, String reference, String auth) {
        RegistryHttpClient.Call call = client.call("GET", "/v2/" + repo + "/manifests/" + reference)
                .header("Accept", MediaTypes.OCI_MANIFEST);
        if (auth != null) {
            call.header("Authorization", auth);
        }
        return call.send();
    }
}
