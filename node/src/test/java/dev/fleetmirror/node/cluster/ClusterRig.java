package dev.fleetmirror.node.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fleetmirror.core.testing.LocalProcesses;
import dev.fleetmirror.node.testing.DistributionProcess;
import dev.fleetmirror.node.testing.NginxAccessLog;
import dev.fleetmirror.node.testing.NginxProcess;
import dev.fleetmirror.node.testing.NodeProcess;
import dev.fleetmirror.node.testing.Skopeo;
import dev.fleetmirror.storage.s3.testing.S3ProxyProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A Fleet Mirror cluster the way it is deployed, every part a process of its own on loopback,
 * started once per test class (register it as a static {@code @RegisterExtension}):
 *
 * <pre>
 *   clients -> nginx balancer (per-request round robin over 4 slots)
 *                -> 3 nodes (fleetmirror.jar, -Xmx256m, cluster: section) -> S3Proxy bucket "cluster"
 *                     `-> nginx upstream link (access log = upstream egress, limit_rate per connection)
 *                          -> docker-registry (the upstream, filesystem storage)
 * </pre>
 *
 * Nodes mirror the upstream under the prefix {@value #PREFIX} and host every other name, so one
 * cluster serves both the pull and the push tests. The balancer has one slot more than there are
 * nodes: a node that leaves or dies frees its slot, and a node that joins takes the slot vacated
 * longest ago, so it never reuses the address of a member the cluster may still remember. Every
 * process is stopped by its own pid in {@link #afterAll}, also when a test failed; node and nginx
 * logs are kept under {@code target/it-logs}.
 */
final class ClusterRig implements BeforeAllCallback, AfterAllCallback {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterRig.class);

    static final int SIZE = 3;
    static final String PREFIX = "mirror/";
    static final String BUCKET = "cluster";
    static final Duration LEASE_TTL = Duration.ofSeconds(3);
    private static final int SLOTS = SIZE + 1;
    private static final List<String> NODE_JVM = List.of("-Xmx256m", "-XX:+UseSerialGC",
            "-Dhazelcast.phone.home.enabled=false");
    private static final Duration CLUSTER_FORMS_WITHIN = LocalProcesses.READY_WITHIN;

    private final String logName;
    private final String upstreamRate;
    private final List<UpstreamImage.Spec> imageSpecs;
    private final Map<String, UpstreamImage> images = new ConcurrentHashMap<>();
    private final String secret = randomHex(16);
    private final String clusterName = "it-" + randomHex(4);
    private final AdminProbe admin = new AdminProbe(secret);
    private final int[] slotPorts = new int[SLOTS];
    private final NodeProcess[] slots = new NodeProcess[SLOTS];
    private final int[] memberPorts = new int[SLOTS];
    private final Map<NodeProcess, String> names = new IdentityHashMap<>();
    /** Runs what blocks in parallel (node starts, image making): never the common pool. */
    private final ExecutorService background = Executors.newCachedThreadPool();
    private final List<CompletableFuture<Void>> publishing = new ArrayList<>();
    /** When each slot was vacated ({@link System#nanoTime()}); {@link Long#MIN_VALUE}: never used. */
    private final long[] vacated = new long[SLOTS];

    private Path work;
    private S3ProxyProcess s3;
    private DistributionProcess upstream;
    private NginxProcess nginx;
    private int linkPort;
    private int balancerPort;
    private int nodesStarted;

    /**
     * @param logName      prefix of the logs kept under {@code target/it-logs}
     * @param upstreamRate nginx {@code limit_rate} of every upstream response, per connection
     *                     ({@code 12m}): slow enough that a fill of a large blob lasts seconds
     * @param images       published on the upstream while the rest starts
     */
    ClusterRig(String logName, String upstreamRate, UpstreamImage.Spec... images) {
        this.logName = logName;
        this.upstreamRate = upstreamRate;
        this.imageSpecs = List.of(images);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        assumeTrue(DistributionProcess.available(), DistributionProcess.absentReason());
        assumeTrue(NginxProcess.available(), NginxProcess.absentReason());
        assumeTrue(Skopeo.available(), Skopeo.absentReason());
        work = Files.createTempDirectory("fleetmirror-cluster-");
        try {
            upstream = DistributionProcess.start(work.resolve("upstream"), work.resolve("upstream-storage"));
            imageSpecs.forEach(spec -> publishing.add(CompletableFuture.runAsync(() -> {
                UpstreamImage image = UpstreamImage.make(spec, work.resolve("images"), this::publish);
                images.put(image.tag(), image);
            }, background)));
            linkPort = LocalProcesses.freeLoopbackPort();
            balancerPort = LocalProcesses.freeLoopbackPort();
            for (int slot = 0; slot < SLOTS; slot++) {
                slotPorts[slot] = LocalProcesses.freeLoopbackPort();
                vacated[slot] = Long.MIN_VALUE;
            }
            nginx = NginxProcess.start(work.resolve("nginx"), nginxConfig(), List.of(linkPort, balancerPort));
            s3 = S3ProxyProcess.start(work.resolve("s3"));
            s3.createBucket(BUCKET);
            ensureNodes();
            CompletableFuture.allOf(publishing.toArray(CompletableFuture[]::new)).join();
        } catch (RuntimeException | Error e) {
            afterAll(context);
            throw e;
        }
    }

    private String nginxConfig() {
        StringBuilder servers = new StringBuilder();
        for (int port : slotPorts) {
            servers.append("  server 127.0.0.1:").append(port).append(" max_fails=0;\n");
        }
        return """
                # The upstream link: every byte the cluster fetches from the upstream registry passes
                # here and is counted in logs/upstream.log. No buffering, so a mirror that goes away
                # stops the transfer and the log shows how much of it went out.
                server {
                  listen 127.0.0.1:%d;
                  access_log logs/upstream.log requests;
                  client_max_body_size 0;
                  proxy_buffering off;
                  location / {
                    limit_rate %s;
                    proxy_pass http://127.0.0.1:%d;
                    proxy_set_header Host $http_host;
                    proxy_http_version 1.1;
                  }
                }

                # The load balancer: no keepalive to the nodes, so round robin picks a node per
                # request (one upload's PATCHes land on different nodes). An empty slot refuses the
                # connection and nginx tries the next; max_fails=0 never marks a slot down, so a node
                # that starts in one gets requests at once.
                upstream nodes {
                %s}
                server {
                  listen 127.0.0.1:%d;
                  access_log logs/balancer.log requests;
                  client_max_body_size 0;
                  proxy_buffering off;
                  proxy_request_buffering off;
                  location / {
                    proxy_pass http://nodes;
                    proxy_set_header Host $http_host;
                    proxy_http_version 1.1;
                    proxy_connect_timeout 2s;
                  }
                }
                """.formatted(linkPort, upstreamRate, upstream.port(), servers, balancerPort);
    }

    /** Starts nodes in free slots (in parallel) until {@link #SIZE} run, then waits for the cluster. */
    void ensureNodes() {
        int missing = SIZE - nodes().size();
        if (missing > 0) {
            List<Integer> free = freeSlots().subList(0, missing);
            free.forEach(slot -> memberPorts[slot] = LocalProcesses.freeMemberPort());
            List<Integer> members = new ArrayList<>(IntStream.range(0, SLOTS).filter(slot -> slots[slot] != null).boxed().toList());
            members.addAll(free);
            List<CompletableFuture<Void>> starting = free.stream()
                    .map(slot -> CompletableFuture.runAsync(() -> startIn(slot, members), background)).toList();
            CompletableFuture.allOf(starting.toArray(CompletableFuture[]::new)).join();
        }
        awaitCluster();
    }

    /**
     * Starts one more node (a member joining), in the slot vacated longest ago; returns when it
     * serves. A member may be leaving meanwhile ({@link #leave} on another thread).
     */
    NodeProcess join() {
        int slot;
        List<Integer> members;
        synchronized (this) {
            slot = freeSlots().get(0);
            memberPorts[slot] = LocalProcesses.freeMemberPort();
            members = new ArrayList<>(IntStream.range(0, SLOTS).filter(s -> slots[s] != null).boxed().toList());
            members.add(slot);
        }
        return startIn(slot, members);
    }

    private List<Integer> freeSlots() {
        return IntStream.range(0, SLOTS).filter(slot -> slots[slot] == null).boxed()
                .sorted(Comparator.comparingLong(slot -> vacated[slot])).toList();
    }

    private NodeProcess startIn(int slot, List<Integer> memberSlots) {
        String members = String.join(", ", memberSlots.stream().map(s -> "\"127.0.0.1:" + memberPorts[s] + "\"").toList());
        Path dir;
        synchronized (this) {
            dir = work.resolve("node-" + ++nodesStarted);
        }
        String storage = """
                s3:
                  accesskey: %s
                  secretkey: %s
                  region: us-east-1
                  regionendpoint: %s
                  bucket: %s
                  forcepathstyle: true
                  secure: false
                redirect:
                  disable: true
                """.formatted(S3ProxyProcess.ACCESS_KEY, S3ProxyProcess.SECRET_KEY, s3.endpoint(), BUCKET);
        String extra = """
                proxy:
                  spooldirectory: %s
                upstreams:
                  - name: upstream
                    url: http://127.0.0.1:%d
                    prefix: %s
                cluster:
                  name: %s
                  port: %d
                  members: [%s]
                  secret: %s
                  minimumSize: 1
                  leaseTtl: %ds
                """.formatted(dir.resolve("spool"), linkPort, PREFIX, clusterName, memberPorts[slot], members, secret,
                LEASE_TTL.toSeconds());
        NodeProcess node = NodeProcess.start(dir, slotPorts[slot], s3.dataDirectory().resolve(BUCKET), storage, extra, NODE_JVM);
        synchronized (this) {
            slots[slot] = node;
            names.put(node, dir.getFileName().toString());
        }
        LOG.info("node {} (pid {}) serves {} as cluster member 127.0.0.1:{}", dir.getFileName(), node.pid(),
                node.baseUri(), memberPorts[slot]);
        return node;
    }

    /** Waits until every node sees {@link #SIZE} members. */
    void awaitCluster() {
        long deadline = System.nanoTime() + CLUSTER_FORMS_WITHIN.toNanos();
        List<String> seen = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            seen.clear();
            boolean formed = true;
            for (NodeProcess node : nodes()) {
                AdminProbe.Answer answer = admin.ask(node);
                seen.add(node.baseUri() + " -> " + answer);
                formed &= answer instanceof AdminProbe.Answer.View view && view.memberCount() == SIZE;
            }
            if (formed) {
                return;
            }
            LocalProcesses.pause(Duration.ofMillis(200));
        }
        throw new AssertionError("the nodes did not all see " + SIZE + " members within " + CLUSTER_FORMS_WITHIN + ": " + seen);
    }

    /** The live nodes, in slot order. */
    synchronized List<NodeProcess> nodes() {
        return Stream.of(slots).filter(node -> node != null).toList();
    }

    /** The live node whose base URL is {@code url} ({@code http://127.0.0.1:port}, a peer URL). */
    synchronized Optional<NodeProcess> node(String url) {
        String wanted = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        return nodes().stream().filter(node -> node.baseUri().toString().equals(wanted)).findFirst();
    }

    /**
     * The bytes in a node's spool directory ({@code proxy.spooldirectory}), where a fill lands as
     * it arrives: how far the node's upstream transfers have come, whatever its clients have read.
     */
    long spooled(NodeProcess node) {
        Path spool;
        synchronized (this) {
            spool = work.resolve(names.get(node)).resolve("spool");
        }
        if (!Files.isDirectory(spool)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(spool)) {
            return files.filter(Files::isRegularFile).mapToLong(file -> {
                try {
                    return Files.size(file);
                } catch (IOException e) {
                    return 0; // finished and removed meanwhile
                }
            }).sum();
        } catch (IOException | UncheckedIOException e) {
            return 0; // a file went away during the walk: ask again
        }
    }

    /** The member that owns the fill of {@code digest}, as the live nodes report it. */
    Optional<NodeProcess> fillOwner(String digest) {
        for (NodeProcess node : nodes()) {
            if (admin.ask(node) instanceof AdminProbe.Answer.View view) {
                Optional<NodeProcess> owner = view.fillOwner(digest).flatMap(this::node);
                if (owner.isPresent()) {
                    return owner;
                }
            }
        }
        return Optional.empty();
    }

    AdminProbe.Answer ask(NodeProcess node) {
        return admin.ask(node);
    }

    /** SIGKILL, as a crash would: no goodbye to the cluster, transfers cut mid-way. */
    void kill(NodeProcess node) {
        LOG.info("killing {} (pid {})", node.baseUri(), node.pid());
        node.kill();
        vacate(node);
    }

    /** SIGTERM, and waits until the node has shut down: a member leaving on purpose. */
    void leave(NodeProcess node) {
        LOG.info("stopping {} (pid {})", node.baseUri(), node.pid());
        node.close();
        vacate(node);
    }

    private synchronized void vacate(NodeProcess node) {
        for (int slot = 0; slot < SLOTS; slot++) {
            if (slots[slot] == node) {
                slots[slot] = null;
                vacated[slot] = System.nanoTime();
            }
        }
        keep(node);
    }

    private synchronized void keep(NodeProcess node) {
        node.keepLog(logName + "-" + names.get(node));
    }

    /** What clients talk to. */
    URI balancer() {
        return URI.create("http://127.0.0.1:" + balancerPort);
    }

    /** Every request the upstream received, as the link saw it. */
    NginxAccessLog upstreamLog() {
        return nginx.accessLog("logs/upstream.log");
    }

    /**
     * The upstream log once no line was added for a moment. nginx writes a line when a transfer
     * ends, which may be a little after the mirror's client got its last byte, and for a transfer
     * cut short, when nginx notices.
     */
    NginxAccessLog settledUpstreamLog() {
        AtomicReference<NginxAccessLog> last = new AtomicReference<>(upstreamLog());
        await("the upstream log settles").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300))
                .until(() -> last.getAndSet(upstreamLog()).size() == last.get().size());
        return last.get();
    }

    /** Every request clients sent through the balancer, with the node that answered it. */
    NginxAccessLog balancerLog() {
        return nginx.accessLog("logs/balancer.log");
    }

    /** An image the rig published, by tag. */
    UpstreamImage image(String tag) {
        UpstreamImage image = images.get(tag);
        if (image == null) {
            throw new IllegalArgumentException("no image tagged " + tag + " was published; there are " + images.keySet());
        }
        return image;
    }

    /** Pushes an image of an OCI layout straight to the upstream (not through the link) as {@code cluster/<tag>}. */
    private void publish(Path layout, String tag) {
        Skopeo.copy("oci:" + layout + ":" + tag, "docker://" + upstream.hostAndPort() + "/cluster/" + tag + ":" + tag, false);
    }

    /** A plain S3 client for the bucket, for looking behind the nodes' back. */
    S3Client bucket() {
        return s3.client();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        // An image still being made (start-up failed) must not write into a deleted directory.
        publishing.forEach(future -> future.exceptionally(failure -> null).join());
        background.shutdownNow();
        List<NodeProcess> running = nodes();
        NodeProcess.closeAll(running);
        running.forEach(this::keep);
        if (nginx != null) {
            nginx.close();
            keepNginxLogs();
        }
        if (upstream != null) {
            upstream.close();
        }
        if (s3 != null) {
            s3.close();
        }
        deleteRecursively(work);
    }

    private void keepNginxLogs() {
        try {
            Path dir = Files.createDirectories(Path.of("target", "it-logs"));
            for (String log : List.of("upstream.log", "balancer.log", "error.log")) {
                Path file = nginx.file("logs/" + log);
                if (Files.exists(file)) {
                    Files.copy(file, dir.resolve(logName + "-nginx-" + log), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            // diagnostics only
        }
    }

    private static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String randomHex(int bytes) {
        byte[] random = new byte[bytes];
        new SecureRandom().nextBytes(random);
        return HexFormat.of().formatHex(random);
    }
}
