package dev.fleetmirror.node.proxy;

import static dev.fleetmirror.node.proxy.MirrorFixture.blobData;
import static dev.fleetmirror.node.proxy.MirrorFixture.blobGets;
import static dev.fleetmirror.node.proxy.MirrorFixture.cached;
import static dev.fleetmirror.node.proxy.MirrorFixture.catchAll;
import static dev.fleetmirror.node.proxy.MirrorFixture.pull;
import static dev.fleetmirror.node.proxy.MirrorFixture.requests;
import static dev.fleetmirror.node.proxy.MirrorFixture.uri;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.manifest.MediaTypes;
import dev.fleetmirror.node.FleetMirrorNode;
import dev.fleetmirror.node.config.UpstreamConfig;
import dev.fleetmirror.node.api.Staleness;
import dev.fleetmirror.node.testing.DistributionProcess;
import dev.fleetmirror.node.testing.NodeProcess;
import dev.fleetmirror.node.testing.RegistryHttpClient;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Fleet Mirror node mirroring a real upstream, Debian's docker-registry on loopback, whose access
 * log tells exactly what the mirror fetched.
 */
class PullThroughCacheTest {
    @TempDir
    Path work;

    @RegisterExtension
    final MirrorRig rig = new MirrorRig("proxy-upstream");

    private DistributionProcess upstream;
    private FleetMirrorNode node;

    @BeforeEach
    void startUpstream() {
        upstream = rig.startUpstream(work, "upstream", "");
    }

    private Path nodeStorage() {
        return work.resolve("node-storage");
    }

    private FleetMirrorNode mirror(Duration tagTtl) throws Exception {
        node = rig.startNode(nodeStorage(), work.resolve("spool"), tagTtl, catchAll(upstream.baseUri()));
        return node;
    }

    @Test
    void coldPullServesTheUpstreamImageByteForByteAndCachesIt() throws Exception {
        TestImage image = TestImage.random(1, 300_000, 50_000);
        image.push(upstream.baseUri(), "team/app", "v1");
        mirror(Duration.ofMinutes(1));

        Map<Digest, byte[]> pulled = pull(uri(node), "team/app", "v1");

        assertThat(pulled.get(image.digest())).isEqualTo(image.manifest());
        for (Digest blob : image.blobDigests()) {
            assertThat(pulled.get(blob)).isEqualTo(image.blob(blob));
            awaitCached(blob);
            assertThat(Files.readAllBytes(blobData(nodeStorage(), blob))).isEqualTo(image.blob(blob));
        }
        assertThat(Files.readAllBytes(blobData(nodeStorage(), image.digest()))).isEqualTo(image.manifest());
        RegistryHttpClient.Response catalog = new RegistryHttpClient(uri(node)).call("GET", "/v2/_catalog").send();
        assertThat(catalog.text()).contains("team/app");

        pull(uri(node), "team/app", image.digest().toString());
        for (Digest blob : image.blobDigests()) {
            assertThat(blobGets(upstream, "team/app", blob)).as("upstream GETs of " + blob).isEqualTo(1);
        }
    }

    @Test
    void headOfAnUncachedBlobPrefetchesItWithTheOneUpstreamGetAndNoHead() throws Exception {
        TestImage image = TestImage.random(2, 200_000);
        image.push(upstream.baseUri(), "team/head", "v1");
        mirror(Duration.ofMinutes(1));
        Digest layer = image.blobDigests().get(1);

        RegistryHttpClient.Response head = new RegistryHttpClient(uri(node)).call("HEAD", "/v2/team/head/blobs/" + layer).send();

        assertThat(head.status()).isEqualTo(200);
        assertThat(head.headerOrEmpty("Content-Length")).isEqualTo("200000");
        // The size comes from the fill's GET, whose bytes are stored for the pull that follows a HEAD.
        await("the blob cached").atMost(Duration.ofSeconds(20)).until(() -> cached(nodeStorage(), layer));
        assertThat(requests(upstream, "HEAD", "/v2/team/head/blobs/" + layer)).isZero();
        assertThat(blobGets(upstream, "team/head", layer)).isEqualTo(1);
        RegistryHttpClient.Response get = new RegistryHttpClient(uri(node)).call("GET", "/v2/team/head/blobs/" + layer).send();
        assertThat(get.body()).isEqualTo(image.blob(layer));
        assertThat(blobGets(upstream, "team/head", layer)).as("the pull after the HEAD").isEqualTo(1);
    }

    @Test
    void sixteenConcurrentColdPullsFetchEachBlobFromUpstreamOnce() throws Exception {
        TestImage image = TestImage.random(3, 4 * 1024 * 1024, 1024 * 1024, 10_000);
        image.push(upstream.baseUri(), "team/popular", "v1");
        mirror(Duration.ofMinutes(1));
        int clients = 16;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<Map<Digest, byte[]>>> pulls = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                pulls.add(pool.submit(() -> {
                    go.await();
                    return pull(uri(node), "team/popular", "v1");
                }));
            }
            go.countDown();
            for (Future<Map<Digest, byte[]>> result : pulls) {
                Map<Digest, byte[]> blobs = result.get(120, TimeUnit.SECONDS);
                for (Digest blob : image.blobDigests()) {
                    assertThat(blobs.get(blob)).isEqualTo(image.blob(blob));
                }
            }
        } finally {
            pool.shutdownNow();
        }
        for (Digest blob : image.blobDigests()) {
            assertThat(blobGets(upstream, "team/popular", blob)).as("upstream GETs of " + blob).isEqualTo(1);
            awaitCached(blob);
        }
        assertThat(requests(upstream, "GET", "/v2/team/popular/manifests/v1")).isEqualTo(1);
    }

    @Test
    void corruptUpstreamBlobFailsTheClientCachesNothingAndIsFetchedAgainNextTime() throws Exception {
        TestImage image = TestImage.random(4, 500_000);
        image.push(upstream.baseUri(), "team/corrupt", "v1");
        Digest layer = image.blobDigests().get(1);
        Path upstreamData = blobData(upstream.storageRoot(), layer);
        byte[] wrong = new byte[500_000];
        new Random(99).nextBytes(wrong);
        Files.write(upstreamData, wrong);
        mirror(Duration.ofMinutes(1));
        RegistryHttpClient client = new RegistryHttpClient(uri(node));

        // Verification fails at the last byte: before the response started, the client gets the
        // upstream error; after, a broken body. Never a 200 with the wrong bytes.
        try {
            RegistryHttpClient.Response response = client.call("GET", "/v2/team/corrupt/blobs/" + layer).send();
            assertThat(response.status()).as(response.toString()).isEqualTo(502);
            assertThat(new String(response.body(), StandardCharsets.UTF_8)).contains("UNAVAILABLE", "corrupt");
        } catch (UncheckedIOException broken) {
            // the broken transfer
        }
        awaitNoFill(layer);
        assertThat(cached(nodeStorage(), layer)).isFalse();
        assertThat(blobGets(upstream, "team/corrupt", layer)).isEqualTo(1);

        Files.write(upstreamData, image.blob(layer));
        RegistryHttpClient.Response retried = client.call("GET", "/v2/team/corrupt/blobs/" + layer).send();

        assertThat(retried.status()).isEqualTo(200);
        assertThat(retried.body()).isEqualTo(image.blob(layer));
        assertThat(blobGets(upstream, "team/corrupt", layer)).isEqualTo(2);
    }

    /** Clients get the last byte once it is verified; the storage writer completes its upload just after. */
    private void awaitCached(Digest digest) {
        await(digest + " cached").atMost(Duration.ofSeconds(10)).until(() -> cached(nodeStorage(), digest));
    }

    /** The fill outlives the client's failure by a little: it is forgotten once its storage writer gave up. */
    private void awaitNoFill(Digest digest) {
        await("no spool files left for " + digest).atMost(Duration.ofSeconds(10)).until(() -> !hasSpoolFiles());
    }

    private boolean hasSpoolFiles() {
        try (var files = Files.list(work.resolve("spool"))) {
            return files.findAny().isPresent();
        } catch (java.io.IOException e) {
            return false;
        }
    }

    @Test
    void cachedPullsByTagAndDigestSucceedAfterTheUpstreamStopped() throws Exception {
        TestImage image = TestImage.random(5, 100_000);
        image.push(upstream.baseUri(), "team/offline", "v1");
        mirror(Duration.ZERO);
        pull(uri(node), "team/offline", "v1");
        // The pull is answered from the spool; the restart below must not cut a fill still storing.
        for (Digest blob : image.blobDigests()) {
            awaitCached(blob);
        }

        upstream.close();
        RegistryHttpClient client = new RegistryHttpClient(uri(node));
        RegistryHttpClient.Response byTag = client.call("GET", "/v2/team/offline/manifests/v1")
                .header("Accept", MediaTypes.OCI_MANIFEST).send();
        RegistryHttpClient.Response byDigest = client.call("GET", "/v2/team/offline/manifests/" + image.digest())
                .header("Accept", MediaTypes.OCI_MANIFEST).send();

        assertThat(byTag.status()).as(byTag.toString()).isEqualTo(200);
        assertThat(byTag.body()).isEqualTo(image.manifest());
        assertThat(byTag.headerOrEmpty(Staleness.HEADER)).isEqualTo("upstream unreachable");
        assertThat(byDigest.status()).isEqualTo(200);
        assertThat(byDigest.header(Staleness.HEADER)).isEmpty();
        Map<Digest, byte[]> again = pull(uri(node), "team/offline", "v1");
        assertThat(again.keySet()).containsAll(image.blobDigests());

        RegistryHttpClient.Response tags = client.call("GET", "/v2/team/offline/tags/list").send();
        assertThat(tags.status()).isEqualTo(200);
        assertThat(tags.json().path("tags").toString()).isEqualTo("[\"v1\"]");
        assertThat(tags.headerOrEmpty(Staleness.HEADER)).isEqualTo("upstream unreachable");

        RegistryHttpClient.Response uncached = client.call("GET", "/v2/team/never-pulled/manifests/v1").send();
        assertThat(uncached.status()).isEqualTo(503);
        assertThat(uncached.errorCodes()).containsExactly("UNAVAILABLE");

        MirrorFixture.stop(node);
        mirror(Duration.ofMinutes(1));
        Map<Digest, byte[]> afterRestart = pull(uri(node), "team/offline", "v1");
        assertThat(afterRestart.get(image.digest())).as("a node started while the upstream is down serves its cache")
                .isEqualTo(image.manifest());
    }

    @Test
    void tagIsRecheckedAfterItsTtlAndANewDigestIsFetched() throws Exception {
        TestImage first = TestImage.random(6, 10_000);
        TestImage second = TestImage.random(7, 10_000);
        first.push(upstream.baseUri(), "team/moving", "latest");
        mirror(Duration.ofSeconds(1));
        assertThat(pull(uri(node), "team/moving", "latest")).containsKey(first.digest());

        second.push(upstream.baseUri(), "team/moving", "latest");
        assertThat(pull(uri(node), "team/moving", "latest")).as("within the TTL").containsKey(first.digest());

        // Pulls serve the first digest until the TTL ends; the first pull after it checks and fetches the new one.
        await("the new digest after the TTL").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> pull(uri(node), "team/moving", "latest").containsKey(second.digest()));
        assertThat(requests(upstream, "GET", "/v2/team/moving/manifests/latest")).isEqualTo(2);
    }

    @Test
    void tagListOfAMirroredRepositoryComesFromUpstream() throws Exception {
        TestImage image = TestImage.random(8, 1_000);
        image.push(upstream.baseUri(), "team/tags", "a");
        image.push(upstream.baseUri(), "team/tags", "b");
        mirror(Duration.ofMinutes(1));

        RegistryHttpClient.Response tags = new RegistryHttpClient(uri(node)).call("GET", "/v2/team/tags/tags/list").send();

        assertThat(tags.status()).isEqualTo(200);
        assertThat(tags.json().path("tags").toString()).isEqualTo("[\"a\",\"b\"]");
        assertThat(tags.header(Staleness.HEADER)).isEmpty();
    }

    @Test
    void nodeStartsWhileItsUpstreamIsDownAndSaysSo() throws Exception {
        URI nowhere = URI.create("http://127.0.0.1:" + NodeProcess.freePort());
        node = rig.startNode(nodeStorage(), work.resolve("spool"), Duration.ofMinutes(1), catchAll(nowhere));
        RegistryHttpClient client = new RegistryHttpClient(uri(node));

        assertThat(client.call("GET", "/v2/").send().status()).isEqualTo(200);
        RegistryHttpClient.Response manifest = client.call("GET", "/v2/library/redis/manifests/7").send();
        assertThat(manifest.status()).isEqualTo(503);
        assertThat(manifest.errorCodes()).containsExactly("UNAVAILABLE");
        RegistryHttpClient.Response blob = client.call("GET", "/v2/library/redis/blobs/"
                + Digest.sha256(new byte[1])).send();
        assertThat(blob.status()).isEqualTo(503);
    }

    @Test
    void hostedAndMirroredNamespacesShareANodeAndPushesToTheMirrorAreRefused() throws Exception {
        TestImage upstreamImage = TestImage.random(9, 20_000);
        upstreamImage.push(upstream.baseUri(), "team/app", "v1");
        UpstreamConfig mirrored = new UpstreamConfig("local-upstream", upstream.baseUri(), Optional.empty(),
                Optional.empty(), "up/", true);
        node = rig.startNode(nodeStorage(), work.resolve("spool"), Duration.ofMinutes(1), mirrored);
        RegistryHttpClient client = new RegistryHttpClient(uri(node));

        TestImage hosted = TestImage.random(10, 20_000);
        hosted.push(uri(node), "mine/app", "v1");
        assertThat(pull(uri(node), "mine/app", "v1")).containsKey(hosted.digest());
        assertThat(pull(uri(node), "up/team/app", "v1")).containsKey(upstreamImage.digest());

        RegistryHttpClient.Response push = client.call("POST", "/v2/up/team/app/blobs/uploads/").send();
        assertThat(push.status()).isEqualTo(405);
        assertThat(push.errorCodes()).containsExactly("UNSUPPORTED");
        assertThat(push.text()).contains("mirrors team/app of upstream local-upstream");
        RegistryHttpClient.Response manifestPut = client.call("PUT", "/v2/up/team/app/manifests/v2")
                .header("Content-Type", MediaTypes.OCI_MANIFEST).body(upstreamImage.manifest()).send();
        assertThat(manifestPut.status()).isEqualTo(405);

        RegistryHttpClient.Response byNamespace = client.call("GET", "/v2/team/app/manifests/v1")
                .query("ns", upstream.hostAndPort()).header("Accept", MediaTypes.OCI_MANIFEST).send();
        assertThat(byNamespace.status()).as(byNamespace.toString()).isEqualTo(200);
        assertThat(byNamespace.body()).isEqualTo(upstreamImage.manifest());
        RegistryHttpClient.Response hostedName = client.call("GET", "/v2/team/app/manifests/v1").send();
        assertThat(hostedName.status()).as("without ns the name is hosted, and nothing is there").isEqualTo(404);

        RegistryHttpClient.Response catalog = client.call("GET", "/v2/_catalog").send();
        assertThat(catalog.json().path("repositories").toString()).isEqualTo("[\"mine/app\",\"up/team/app\"]");
    }
}
