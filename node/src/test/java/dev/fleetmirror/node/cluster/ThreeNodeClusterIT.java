package dev.fleetmirror.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.node.cluster.RetryingPuller.Pulled;
import dev.fleetmirror.node.cluster.RetryingPuller.Received;
import dev.fleetmirror.node.testing.NginxAccessLog;
import dev.fleetmirror.node.testing.NodeProcess;
import dev.fleetmirror.node.testing.RegistryHttpClient;
import dev.fleetmirror.node.testing.RegistryHttpClient.Response;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Three Fleet Mirror processes on one S3 bucket, joined in one cluster, behind a round-robin load
 * balancer ({@link ClusterRig}): what the cluster promises, measured from outside, where a user
 * would see it — the upstream's access log, what each client received, what the bucket holds.
 * Every test pulls an image of its own, so each starts cold.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ThreeNodeClusterIT {
    private static final Logger LOG = LoggerFactory.getLogger(ThreeNodeClusterIT.class);
    private static final int MIB = 1024 * 1024;

    /** 12 MiB/s per upstream connection: the 64 MiB layer takes over five seconds to fill. */
    @RegisterExtension
    static final ClusterRig RIG = new ClusterRig(ThreeNodeClusterIT.class.getSimpleName(), "12m",
            new UpstreamImage.Spec("small", 31, 3, 2, 1.5),
            new UpstreamImage.Spec("large", 32, 64),
            new UpstreamImage.Spec("before-change", 33, 8, 6),
            new UpstreamImage.Spec("after-change", 34, 8, 6));

    static UpstreamImage small;
    static UpstreamImage large;
    static UpstreamImage beforeChange;
    static UpstreamImage afterChange;

    private ExecutorService clients;

    @BeforeAll
    static void images() {
        small = RIG.image("small");
        large = RIG.image("large");
        beforeChange = RIG.image("before-change");
        afterChange = RIG.image("after-change");
    }

    @BeforeEach
    void threeNodes() {
        RIG.ensureNodes();
        clients = Executors.newCachedThreadPool();
    }

    @AfterEach
    void stopClients() throws InterruptedException {
        clients.shutdownNow();
        clients.awaitTermination(30, TimeUnit.SECONDS);
    }

    @Test
    void sixteenColdClientsOverThreeNodesFetchEachBlobFromTheUpstreamOnce() throws Exception {
        int balanced = RIG.balancerLog().size();
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Pulled>> pulls = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            pulls.add(clients.submit(() -> {
                go.await();
                return new RetryingPuller(RIG.balancer()).pull(small.mirrored(), small.tag());
            }));
        }
        go.countDown();
        List<Pulled> pulled = results(pulls);

        for (Pulled pull : pulled) {
            assertReceivedIntact(pull, small);
            assertThat(pull.failures()).as("broken transfers, nothing was stopped").isZero();
        }
        assertThat(RIG.balancerLog().after(balanced).matching(r -> r.path().contains("/blobs/")).stream()
                .map(NginxAccessLog.Request::backend).distinct())
                .as("the balancer spread the blob requests over every node").hasSize(ClusterRig.SIZE);
        NginxAccessLog upstream = RIG.settledUpstreamLog();
        Map<String, Integer> fetches = new LinkedHashMap<>();
        small.blobs().keySet().forEach(digest -> fetches.put(digest, upstream.transfers(small.upstreamBlobPath(digest)).size()));
        LOG.info("measured: upstream GETs per blob {}, egress {} x the image, 16 clients over {} nodes", fetches.values(),
                egressTimes(upstream, small), ClusterRig.SIZE);
        assertThat(fetches).as("upstream GETs per blob%s", onlyBlobsOf(upstream, small))
                .allSatisfy((digest, count) -> assertThat(count).isEqualTo(1));
    }

    @Test
    void fillOwnerKilledMidTransferIsTakenOverAndTheBucketHoldsOnlyVerifiedBlobs() throws Exception {
        String layer = large.largestBlob();
        long size = large.blobs().get(layer);
        NodeProcess first = RIG.nodes().get(0);
        // The first request reaches one node directly, so that node claims the fill; its client's
        // retries, like everybody else's, go through the balancer. A node may fetch ahead of its
        // clients: its spool, not a client, says how far the fill has come.
        Future<Received> ownersClient = clients.submit(() -> new RetryingPuller(List.of(first.baseUri(), RIG.balancer()))
                .blob(large.mirrored(), layer, received -> { }));
        await("the first node spools the layer").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                .until(() -> RIG.spooled(first) >= MIB);
        List<Future<Received>> followers = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            followers.add(clients.submit(() -> new RetryingPuller(RIG.balancer()).blob(large.mirrored(), layer, received -> { })));
        }
        await("an eighth of the layer spooled on the first node").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(20)).until(() -> RIG.spooled(first) >= size / 8);
        NodeProcess owner = RIG.fillOwner(layer).orElse(first);
        RIG.kill(owner);

        List<Received> received = new ArrayList<>(results(followers));
        Received firstClient = ownersClient.get(120, TimeUnit.SECONDS);
        received.add(firstClient);
        assertThat(received).as("every client, after retries, got the layer").allSatisfy(r -> {
            assertThat(r.sha256()).isEqualTo(layer);
            assertThat(r.size()).isEqualTo(size);
        });
        if (owner == first) {
            assertThat(firstClient.failures()).as("the owner's client saw its transfer cut by the kill").isNotEmpty();
        }
        await("the layer stored in the bucket").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> storedBlobs().contains(Digest.parse(layer).hex()));
        NginxAccessLog upstream = RIG.settledUpstreamLog();
        List<NginxAccessLog.Request> transfers = upstream.transfers(large.upstreamBlobPath(layer));
        long egress = NginxAccessLog.bytesSent(transfers);
        assertThat(transfers).as("the kill cut an upstream transfer short%s", onlyBlobsOf(upstream, large))
                .anyMatch(transfer -> transfer.bytesSent() < size);

        try (S3Client s3 = RIG.bucket()) {
            BucketAudit.Result audit = BucketAudit.rehash(s3, ClusterRig.BUCKET);
            assertThat(audit.mismatched()).as("blobs whose bytes are not their key's digest").isEmpty();
            assertThat(audit.checked()).as("blobs re-hashed").isGreaterThanOrEqualTo(1);
        }
        LOG.info("measured: upstream egress for the " + size + "-byte layer " + egress + " bytes = "
                + String.format("%.2f", (double) egress / size) + " x in " + transfers.size() + " GETs "
                + transfers.stream().map(t -> String.format("%.2f", (double) t.bytesSent() / size)).toList()
                + " (x the layer), filling node killed, 6 clients");
        assertThat(egress).as("upstream egress for a %d-byte layer whose filler was killed%s", size, onlyBlobsOf(upstream, large))
                .isLessThanOrEqualTo(2 * size + 64 * 1024);
    }

    @Test
    void memberLeavingAndMemberJoiningDuringPullsFailNoPull() throws Exception {
        AtomicReference<UpstreamImage> wanted = new AtomicReference<>(beforeChange);
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch layersArriving = new CountDownLatch(1);
        Map<Integer, AtomicInteger> pullsAfterChange = new ConcurrentHashMap<>();
        List<Pulled> pulled = new CopyOnWriteArrayList<>();
        List<UpstreamImage> pulledImages = new CopyOnWriteArrayList<>();
        List<Future<Object>> loops = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            AtomicInteger afterChangeCount = new AtomicInteger();
            pullsAfterChange.put(i, afterChangeCount);
            loops.add(clients.submit(() -> {
                RetryingPuller puller = new RetryingPuller(RIG.balancer());
                while (!stop.get()) {
                    UpstreamImage image = wanted.get();
                    pulled.add(puller.pull(image.mirrored(), image.tag(), received -> {
                        if (received >= MIB) {
                            layersArriving.countDown();
                        }
                    }));
                    pulledImages.add(image);
                    if (image == afterChange) {
                        afterChangeCount.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        assertThat(layersArriving.await(60, TimeUnit.SECONDS)).as("clients receive layers").isTrue();
        // The member that fills the larger layer leaves, when the nodes say which one that is, while
        // a new member joins, as in a rolling update.
        NodeProcess leaving = RIG.fillOwner(beforeChange.largestBlob()).orElse(RIG.nodes().get(1));
        Future<?> left = clients.submit(() -> RIG.leave(leaving));
        NodeProcess joined = RIG.join();
        left.get(60, TimeUnit.SECONDS);
        RIG.awaitCluster();
        int balanced = RIG.balancerLog().size();
        wanted.set(afterChange);
        await("every client pulled the image asked for after the change").atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> pullsAfterChange.values().stream().allMatch(count -> count.get() >= 1)
                        || loops.stream().anyMatch(Future::isDone));
        stop.set(true);
        results(loops);

        for (int i = 0; i < pulled.size(); i++) {
            assertReceivedIntact(pulled.get(i), pulledImages.get(i));
        }
        assertThat(pulledImages).contains(beforeChange, afterChange);
        assertThat(RIG.balancerLog().after(balanced).matching(r -> r.status() == 200).stream().map(NginxAccessLog.Request::backend))
                .as("the joined node serves clients").contains(joined.hostAndPort());
        AdminProbe.Answer answer = RIG.ask(joined);
        assertThat(answer).as("the joined node describes its cluster").isInstanceOf(AdminProbe.Answer.View.class);
        assertThat(((AdminProbe.Answer.View) answer).memberUrls()).as("the joined node's view of the cluster")
                .hasSize(ClusterRig.SIZE).doesNotContain(leaving.baseUri().toString());
        LOG.info("{} pulls while {} left and {} joined, {} broken transfers retried", pulled.size(), leaving.baseUri(),
                joined.baseUri(), pulled.stream().mapToInt(Pulled::failures).sum());
    }

    @Test
    void chunkedPushWhoseRequestsReachEveryNodePullsBackIdentical() {
        byte[] layer = randomBytes(10 * MIB + 17, 35);
        byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}"
                .getBytes(StandardCharsets.UTF_8);
        Digest layerDigest = Digest.sha256(layer);
        Digest configDigest = Digest.sha256(config);
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + configDigest
                + "\",\"size\":" + config.length + "},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\","
                + "\"digest\":\"" + layerDigest + "\",\"size\":" + layer.length + "}]}").getBytes(StandardCharsets.UTF_8);
        RegistryHttpClient client = new RegistryHttpClient(RIG.balancer());
        int balanced = RIG.balancerLog().size();

        Response start = client.call("POST", "/v2/team/pushed/blobs/uploads/").send();
        assertThat(start.status()).as("%s", start).isEqualTo(202);
        String location = start.location();
        int chunk = 5 * MIB / 2;
        for (int offset = 0; offset < layer.length; offset += chunk) {
            int end = Math.min(layer.length, offset + chunk);
            Response patch = client.call("PATCH", location).header("Content-Type", "application/octet-stream")
                    .header("Content-Range", offset + "-" + (end - 1)).body(Arrays.copyOfRange(layer, offset, end)).send();
            assertThat(patch.status()).as("%s", patch).isEqualTo(202);
            assertThat(patch.headerOrEmpty("Range")).as("%s", patch).isEqualTo("0-" + (end - 1));
            location = patch.location();
        }
        Response finish = client.call("PUT", location).query("digest", layerDigest.toString()).send();
        assertThat(finish.status()).as("%s", finish).isEqualTo(201);
        Response configPush = client.call("POST", "/v2/team/pushed/blobs/uploads/").query("digest", configDigest.toString())
                .header("Content-Type", "application/octet-stream").body(config).send();
        assertThat(configPush.status()).as("%s", configPush).isEqualTo(201);
        Response manifestPut = client.call("PUT", "/v2/team/pushed/manifests/v1")
                .header("Content-Type", "application/vnd.oci.image.manifest.v1+json").body(manifest).send();
        assertThat(manifestPut.status()).as("%s", manifestPut).isEqualTo(201);

        // nginx logs a request when it ends, which may be just after the client read the answer.
        await("the balancer logged the upload").atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Set<String> uploadBackends = RIG.balancerLog().after(balanced)
                    .matching(r -> r.path().startsWith("/v2/team/pushed/blobs/uploads/") && !r.method().equals("POST")).stream()
                    .map(NginxAccessLog.Request::backend).collect(Collectors.toCollection(TreeSet::new));
            assertThat(uploadBackends).as("nodes that received the upload's PATCH and PUT requests").hasSize(ClusterRig.SIZE);
        });
        for (int i = 0; i < ClusterRig.SIZE; i++) {
            Response pulledManifest = client.call("GET", "/v2/team/pushed/manifests/v1")
                    .header("Accept", "application/vnd.oci.image.manifest.v1+json").send();
            assertThat(pulledManifest.body()).as("%s", pulledManifest).isEqualTo(manifest);
            Response pulledLayer = client.call("GET", "/v2/team/pushed/blobs/" + layerDigest).send();
            assertThat(pulledLayer.status()).as("%s", pulledLayer).isEqualTo(200);
            assertThat(pulledLayer.body()).as("layer pulled back").isEqualTo(layer);
        }
    }

    private static void assertReceivedIntact(Pulled pull, UpstreamImage image) {
        assertThat(pull.manifestDigest()).as("manifest pulled").isEqualTo(image.manifestDigest());
        assertThat(pull.corrupt()).as("blobs whose bytes are not their digest").isEmpty();
        Map<String, Long> sizes = new LinkedHashMap<>();
        pull.content().forEach((digest, received) -> {
            if (!digest.equals(image.manifestDigest())) {
                sizes.put(digest, received.size());
            }
        });
        assertThat(sizes).as("blobs and sizes received").isEqualTo(image.blobs());
    }

    /** Upstream egress of an image's blobs over the image's blob bytes. */
    private static String egressTimes(NginxAccessLog upstream, UpstreamImage image) {
        long egress = 0;
        for (String digest : image.blobs().keySet()) {
            egress += NginxAccessLog.bytesSent(upstream.transfers(image.upstreamBlobPath(digest)));
        }
        return String.format("%.2f", (double) egress / image.bytes());
    }

    /** The lines of the upstream log about the image's blobs, for failure messages. */
    private static NginxAccessLog onlyBlobsOf(NginxAccessLog upstream, UpstreamImage image) {
        return new NginxAccessLog(upstream.matching(r -> r.path().startsWith("/v2/" + image.upstreamRepo() + "/blobs/")));
    }

    private static Set<String> storedBlobs() {
        try (S3Client s3 = RIG.bucket()) {
            return BucketAudit.stored(s3, ClusterRig.BUCKET);
        }
    }

    private static <T> List<T> results(List<? extends Future<T>> futures) throws Exception {
        List<T> results = new ArrayList<>();
        for (Future<T> future : futures) {
            results.add(future.get(150, TimeUnit.SECONDS));
        }
        return results;
    }

    private static byte[] randomBytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

}
