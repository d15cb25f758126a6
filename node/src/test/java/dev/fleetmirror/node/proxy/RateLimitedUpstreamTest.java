package dev.fleetmirror.node.proxy;

import static dev.fleetmirror.node.proxy.MirrorFixture.blobGets;
import static dev.fleetmirror.node.proxy.MirrorFixture.cached;
import static dev.fleetmirror.node.proxy.MirrorFixture.catchAll;
import static dev.fleetmirror.node.proxy.MirrorFixture.requests;
import static dev.fleetmirror.node.proxy.MirrorFixture.uri;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fleetmirror.coordination.limit.RequestRate;
import dev.fleetmirror.coordination.limit.RateLimit;
import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.manifest.MediaTypes;
import dev.fleetmirror.node.config.UpstreamConfig;
import dev.fleetmirror.node.api.Staleness;
import dev.fleetmirror.node.testing.RegistryHttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node whose upstream (a real docker-registry, whose access log counts what reached it) has a
 * {@code ratelimit}: requests go at the configured rate, fills beyond the concurrent ones wait for a
 * slot, and whatever would wait longer than {@code maxwait} is answered 429 TOOMANYREQUESTS with
 * Retry-After before anything is asked upstream.
 */
class RateLimitedUpstreamTest {
    @TempDir
    Path work;

    @RegisterExtension
    final MirrorRig rig = new MirrorRig();

    @BeforeEach
    void startUpstream() {
        rig.startUpstream(work, "upstream", "");
    }

    private Path nodeStorage() {
        return work.resolve("node");
    }

    private void mirror(UpstreamConfig upstream) throws Exception {
        mirror(upstream, Duration.ofMinutes(1));
    }

    private void mirror(UpstreamConfig upstream, Duration tagTtl) throws Exception {
        rig.startNode(nodeStorage(), work.resolve("spool"), tagTtl, upstream);
    }

    @Test
    void aBurstOfManifestRequestsReachesTheUpstreamAtTheConfiguredRate() throws Exception {
        int count = 8;
        List<TestImage> images = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            TestImage image = TestImage.random(300 + i, 100);
            image.push(rig.upstream().baseUri(), "team/rated", "v" + i);
            images.add(image);
        }
        mirror(catchAll(rig.upstream().baseUri())
                .withLimit(RateLimit.requests(new RequestRate(5, 1), Duration.ofSeconds(10))));
        ExecutorService clients = Executors.newFixedThreadPool(count);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<CompletableFuture<Long>> answeredAfter = new ArrayList<>();
            long[] start = new long[1];
            for (TestImage image : images) {
                answeredAfter.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    RegistryHttpClient.Response response = new RegistryHttpClient(uri(rig.node()))
                            .call("GET", "/v2/team/rated/manifests/" + image.digest())
                            .header("Accept", MediaTypes.OCI_MANIFEST).send();
                    assertThat(response.status()).as(response.toString()).isEqualTo(200);
                    assertThat(response.body()).isEqualTo(image.manifest());
                    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start[0]);
                }, clients));
            }
            start[0] = System.nanoTime();
            go.countDown();
            List<Long> millis = new ArrayList<>();
            for (CompletableFuture<Long> answered : answeredAfter) {
                millis.add(answered.get(30, TimeUnit.SECONDS));
            }
            millis.sort(null);

            // One token at once, then one every 200 ms: the k-th answer cannot come before k * 200 ms.
            for (int k = 0; k < count; k++) {
                assertThat(millis.get(k)).as("answer %d of %s (ms)", k, millis).isGreaterThanOrEqualTo(k * 200L - 20);
            }
            assertThat(millis.get(count - 1)).as("the rate, not something slower, spaced them").isLessThan(5_000);
        } finally {
            clients.shutdownNow();
        }
        for (TestImage image : images) {
            assertThat(requests(rig.upstream(), "GET", "/v2/team/rated/manifests/" + image.digest())).isEqualTo(1);
        }
    }

    @Test
    void aRequestWhoseWaitWouldExceedMaxWaitGetsTooManyRequestsAndNothingIsAskedOrStored() throws Exception {
        TestImage image = TestImage.random(310, 5_000);
        image.push(rig.upstream().baseUri(), "team/limited", "v1");
        Digest layer = image.blobDigests().get(1);
        // One request every 2 s, waiting at most 1 s: right after one request, the next is refused.
        mirror(catchAll(rig.upstream().baseUri())
                .withLimit(RateLimit.requests(new RequestRate(0.5, 1), Duration.ofSeconds(1))));
        RegistryHttpClient client = new RegistryHttpClient(uri(rig.node()));

        RegistryHttpClient.Response manifest = client.call("GET", "/v2/team/limited/manifests/" + image.digest())
                .header("Accept", MediaTypes.OCI_MANIFEST).send();
        RegistryHttpClient.Response blob = client.call("GET", "/v2/team/limited/blobs/" + layer).send();
        RegistryHttpClient.Response tag = client.call("GET", "/v2/team/limited/manifests/v1")
                .header("Accept", MediaTypes.OCI_MANIFEST).send();

        assertThat(manifest.status()).isEqualTo(200);
        for (RegistryHttpClient.Response refused : List.of(blob, tag)) {
            assertThat(refused.status()).as(refused.toString()).isEqualTo(429);
            assertThat(refused.errorCodes()).containsExactly("TOOMANYREQUESTS");
            assertThat(refused.headerOrEmpty("Retry-After")).isEqualTo("1");
        }
        // Nothing refused goes upstream later either: watched for a while, not looked at once.
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> blobGets(rig.upstream(), "team/limited", layer) == 0
                && requests(rig.upstream(), "HEAD", "/v2/team/limited/manifests/v1") == 0
                && requests(rig.upstream(), "GET", "/v2/team/limited/manifests/v1") == 0);
        assertThat(cached(nodeStorage(), layer)).isFalse();
        assertThat(nodeStorage().resolve("docker/registry/v2/repositories/team/limited/_manifests/tags")).doesNotExist();
    }

    @Test
    void aCachedTagWhoseRecheckIsHeldBackIsServedStaleInsteadOfFailing() throws Exception {
        TestImage image = TestImage.random(315, 1_000);
        image.push(rig.upstream().baseUri(), "team/stale", "v1");
        // Two tokens for the first pull (HEAD and GET), then one every 5 s; a tag is re-checked on every pull.
        mirror(catchAll(rig.upstream().baseUri())
                .withLimit(RateLimit.requests(new RequestRate(0.2, 2), Duration.ofSeconds(1))), Duration.ZERO);
        RegistryHttpClient client = new RegistryHttpClient(uri(rig.node()));

        RegistryHttpClient.Response first = client.call("GET", "/v2/team/stale/manifests/v1")
                .header("Accept", MediaTypes.OCI_MANIFEST).send();
        RegistryHttpClient.Response second = client.call("GET", "/v2/team/stale/manifests/v1")
                .header("Accept", MediaTypes.OCI_MANIFEST).send();

        assertThat(first.status()).isEqualTo(200);
        assertThat(first.header(Staleness.HEADER)).isEmpty();
        assertThat(second.status()).isEqualTo(200);
        assertThat(second.body()).isEqualTo(image.manifest());
        assertThat(second.headerOrEmpty(Staleness.HEADER)).isEqualTo("upstream rate limit reached");
        assertThat(requests(rig.upstream(), "HEAD", "/v2/team/stale/manifests/v1")).isEqualTo(1);
    }

    @Test
    void aBlobFillBeyondTheConcurrentFillsWaitsUntilTheRunningFillIsOver() throws Exception {
        // Trickled, the large blob takes about 2 s; the small one alone, one pause of 40 ms.
        TestImage image = TestImage.random(320, 256 * 1024, 1_000);
        image.push(rig.upstream().baseUri(), "team/fills", "v1");
        Digest slow = image.blobDigests().get(1);
        Digest small = image.blobDigests().get(2);
        startGatedNode(RateLimit.concurrentFills(1, Duration.ofSeconds(30)));
        rig.gate().slowBlobs(40);

        CompletableFuture<Long> slowDone = getBlob("team/fills", slow, image);
        awaitForwarded("/v2/team/fills/blobs/" + slow); // the slow fill holds the one slot by now
        CompletableFuture<Long> smallDone = getBlob("team/fills", small, image);

        long slowAt = slowDone.get(60, TimeUnit.SECONDS);
        long smallAt = smallDone.get(60, TimeUnit.SECONDS);
        // Alone, the 1000-byte blob takes one chunk's pause; behind the slot it comes after the slow one.
        assertThat(smallAt).as("small blob answered at %d ms, slow one at %d ms", smallAt, slowAt).isGreaterThanOrEqualTo(slowAt);
        assertThat(blobGets(rig.upstream(), "team/fills", small)).isEqualTo(1);
        awaitCached(small);
    }

    @Test
    void aBlobFillThatFindsNoSlotWithinMaxWaitGetsTooManyRequestsAndIsNotFetched() throws Exception {
        // Trickled, the large blob takes about 4 s: well beyond the other's 300 ms head start plus 1 s of waiting.
        TestImage image = TestImage.random(330, 512 * 1024, 1_000);
        image.push(rig.upstream().baseUri(), "team/busy", "v1");
        Digest slow = image.blobDigests().get(1);
        Digest refused = image.blobDigests().get(2);
        startGatedNode(RateLimit.concurrentFills(1, Duration.ofSeconds(1)));
        rig.gate().slowBlobs(40);

        CompletableFuture<Long> slowDone = getBlob("team/busy", slow, image);
        awaitForwarded("/v2/team/busy/blobs/" + slow); // the slow fill holds the one slot by now
        long asked = System.nanoTime();
        RegistryHttpClient.Response response = new RegistryHttpClient(uri(rig.node())).call("GET", "/v2/team/busy/blobs/" + refused).send();
        long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - asked);

        assertThat(response.status()).as(response.toString()).isEqualTo(429);
        assertThat(response.errorCodes()).containsExactly("TOOMANYREQUESTS");
        assertThat(response.headerOrEmpty("Retry-After")).isEqualTo("1");
        assertThat(waitedMillis).as("waited for a slot up to maxwait").isBetween(900L, 10_000L);
        assertThat(slowDone).as("the slow fill still held the slot").isNotDone();
        slowDone.get(60, TimeUnit.SECONDS);
        assertThat(blobGets(rig.upstream(), "team/busy", refused)).isZero();
        assertThat(cached(nodeStorage(), refused)).isFalse();

        rig.gate().slowBlobs(0);
        RegistryHttpClient.Response retried = new RegistryHttpClient(uri(rig.node())).call("GET", "/v2/team/busy/blobs/" + refused).send();
        assertThat(retried.status()).isEqualTo(200);
        assertThat(retried.body()).isEqualTo(image.blob(refused));
        awaitCached(refused);
    }

    /** Clients get the last byte once it is verified; the fill stores it just after. */
    private void awaitCached(Digest digest) {
        await(digest + " cached").atMost(Duration.ofSeconds(10)).until(() -> cached(nodeStorage(), digest));
    }

    /** Until the gate has forwarded {@code GET path} upstream: the fill asking for it holds a fill slot. */
    private void awaitForwarded(String path) {
        await("GET " + path + " forwarded upstream").atMost(Duration.ofSeconds(10))
                .until(() -> rig.gate().forwarded().contains("GET " + path));
    }

    /** A node mirroring the upstream through a {@link TokenGate}, which can slow blob bodies down. */
    private void startGatedNode(RateLimit limit) throws Exception {
        rig.track(TokenGate.start(rig.upstream().baseUri(), "robot", "pa55", "127.0.0.1"));
        mirror(new UpstreamConfig("gated", rig.gate().baseUri(), Optional.of("robot"), Optional.of("pa55"), "", true).withPrivacy(UpstreamConfig.Privacy.PUBLIC)
                .withLimit(limit));
    }

    /** GETs a blob on another thread; completes with when (System.nanoTime, in ms) the whole body had arrived. */
    private CompletableFuture<Long> getBlob(String repo, Digest digest, TestImage image) {
        return CompletableFuture.supplyAsync(() -> {
            RegistryHttpClient.Response response = new RegistryHttpClient(uri(rig.node()))
                    .call("GET", "/v2/" + repo + "/blobs/" + digest).send();
            assertThat(response.status()).as(response.toString()).isEqualTo(200);
            assertThat(response.body()).isEqualTo(image.blob(digest));
            return TimeUnit.NANOSECONDS.toMillis(System.nanoTime());
        });
    }
}
