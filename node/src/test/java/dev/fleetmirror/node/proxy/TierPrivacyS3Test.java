package dev.fleetmirror.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.node.FleetMirrorNode;
import dev.fleetmirror.node.config.ConfigLoader;
import dev.fleetmirror.node.config.HttpConfig;
import dev.fleetmirror.node.config.LocalCacheConfig;
import dev.fleetmirror.node.config.NodeConfig;
import dev.fleetmirror.node.config.StorageBackend;
import dev.fleetmirror.node.config.StorageConfig;
import dev.fleetmirror.node.testing.DistributionProcess;
import dev.fleetmirror.node.testing.FillsInFlight;
import dev.fleetmirror.node.testing.RegistryHttpClient;
import dev.fleetmirror.node.testing.TestUsers;
import dev.fleetmirror.storage.s3.testing.S3ProxyExtension;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fill leaves its verified bytes in the node's local disk tier, a copy named by digest alone. On
 * S3 with the tier on, after an entitled caller's pull of a restricted mirrored image put its layer
 * there: nobody else gets those bytes, neither through the restricted repository nor by asking for
 * the digest in a repository they may read (mirrored or hosted), by GET or HEAD; the entitled
 * caller still gets them. Upstream: Debian's docker-registry.
 */
class TierPrivacyS3Test {
    @RegisterExtension
    static final S3ProxyExtension S3 = new S3ProxyExtension("tierprivacy");

    @TempDir
    Path work;

    @Test
    void aLayerTheTierKeptFromARestrictedFillReachesOnlyCallersEntitledToItsRepository() throws Exception {
        assumeTrue(DistributionProcess.available(), DistributionProcess.absentReason());
        DistributionProcess upstream = MirrorFixture.upstream(work, "upstream", "");
        FleetMirrorNode node = null;
        try {
            TestImage image = TestImage.random(2718, 400_000);
            image.push(upstream.baseUri(), "secret/app", "v1");
            Path htpasswd = TestUsers.htpasswd(work.resolve("htpasswd"), Map.of("alice", "alice-pw", "bob", "bob-pw"));
            Path tier = work.resolve("tier");
            NodeConfig config = ConfigLoader.fromYaml(TestUsers.loopbackNodeYaml(work.resolve("unused")) + """
                    proxy:
                      spooldirectory: %s
                    upstreams:
                      - name: up
                        url: %s
                        prefix: mirror/
                    auth:
                      htpasswd:
                        path: %s
                    access:
                      - {repository: "mirror/secret/**", users: [alice], actions: [pull]}
                      - {repository: "mirror/secret/**", users: ["*"], anonymous: true, actions: []}
                      - {repository: "**", users: ["*"], anonymous: true, actions: [pull, push]}
                    """.formatted(work.resolve("spool"), upstream.baseUri(), htpasswd), Map.of())
                    .withHttp(HttpConfig.loopback(0))
                    .withStorage(StorageConfig.of(new StorageBackend.S3(S3.config()))
                            .withLocalCache(Optional.of(new LocalCacheConfig(tier, 100_000_000))));
            node = FleetMirrorNode.start(config).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            URI uri = MirrorFixture.uri(node);
            RegistryHttpClient client = new RegistryHttpClient(uri);
            String alice = TestUsers.basic("alice", "alice-pw");
            String bob = TestUsers.basic("bob", "bob-pw");
            Digest layer = image.blobDigests().get(1);
            byte[] bytes = image.blob(layer);

            // Alice's pull fills the layer; the fill's bytes become the tier's copy.
            assertThat(client.call("GET", "/v2/mirror/secret/app/blobs/" + layer).header("Authorization", alice).send()
                    .body()).isEqualTo(bytes);
            FillsInFlight.awaitNone(uri);
            await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(tier.resolve("sha256").resolve(layer.hex())));
            // A hosted repository anyone may read, holding an image of its own: the node serves from it.
            TestImage other = TestImage.random(3141, 2_000);
            other.push(uri, "team/app", "v1");

            for (String method : new String[] {"GET", "HEAD"}) {
                for (String caller : new String[] {null, bob}) {
                    String who = caller == null ? "anonymous" : "bob";
                    RegistryHttpClient.Response restricted = send(client, method, "/v2/mirror/secret/app/blobs/" + layer, caller);
                    assertThat(restricted.status()).as("%s %s of the restricted repository", who, method).isIn(401, 403);
                    for (String repo : new String[] {"mirror/open/app", "team/app"}) {
                        RegistryHttpClient.Response elsewhere = send(client, method, "/v2/" + repo + "/blobs/" + layer, caller);
                        assertThat(elsewhere.status()).as("%s %s of the digest in %s", who, method, repo).isEqualTo(404);
                        assertThat(elsewhere.body()).as("%s %s of the digest in %s", who, method, repo).isNotEqualTo(bytes);
                    }
                }
            }
            assertThat(send(client, "GET", "/v2/mirror/secret/app/blobs/" + layer, alice).body()).isEqualTo(bytes);
        } finally {
            if (node != null) {
                MirrorFixture.stop(node);
            }
            upstream.close();
        }
    }

    private static RegistryHttpClient.Response send(RegistryHttpClient client, String method, String path, String auth) {
        RegistryHttpClient.Call call = client.call(method, path);
        if (auth != null) {
            call.header("Authorization", auth);
        }
        return call.send();
    }
}
