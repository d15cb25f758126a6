package dev.fleetmirror.node.distribution;

import dev.fleetmirror.core.registry.stored.StoredRegistry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.registry.BlobDescriptor;
import dev.fleetmirror.core.registry.Blobs;
import dev.fleetmirror.core.registry.Registry;
import dev.fleetmirror.core.registry.RegistrySettings;
import dev.fleetmirror.core.storage.FilesystemDriver;
import dev.fleetmirror.node.FleetMirrorNode;
import dev.fleetmirror.node.config.HttpConfig;
import dev.fleetmirror.node.config.NodeConfig;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How blob data leaves a node when the backend has no local file (S3 and other remote stores):
 * streamed from {@link Blobs#open} with back-pressure, or redirected to the backend's URL. The
 * registry here is the real filesystem one with {@code localFile}/{@code redirectUrl} answered as a
 * remote backend would.
 */
class BlobDeliveryTest {
    @TempDir
    Path dir;

    /** Real blobs, seen as a remote backend sees them: no local file, optionally a redirect URL. */
    private static final java.util.concurrent.atomic.AtomicInteger OPEN_STREAMS = new java.util.concurrent.atomic.AtomicInteger();
    /** Bytes the node has read from storage, to see how far it reads ahead of its client. */
    private static final java.util.concurrent.atomic.AtomicLong BYTES_READ = new java.util.concurrent.atomic.AtomicLong();

    private record RemoteLikeBlobs(Blobs real, Optional<URI> redirect) implements Blobs {
        public Optional<BlobDescriptor> stat(RepositoryName repo, Digest digest) {
            return real.stat(repo, digest);
        }

        public InputStream open(Digest digest, long offset) {
            OPEN_STREAMS.incrementAndGet();
            return new java.io.FilterInputStream(real.open(digest, offset)) {
                private boolean closed;

                @Override
                public int read() throws java.io.IOException {
                    int b = super.read();
                    if (b >= 0) {
                        BYTES_READ.incrementAndGet();
                    }
                    return b;
                }

                @Override
                public int read(byte[] buffer, int offset, int length) throws java.io.IOException {
                    int n = super.read(buffer, offset, length);
                    if (n > 0) {
                        BYTES_READ.addAndGet(n);
                    }
                    return n;
                }

                @Override
                public void close() throws java.io.IOException {
                    if (!closed) {
                        closed = true;
                        OPEN_STREAMS.decrementAndGet();
                    }
                    super.close();
                }
            };
        }

        public Optional<Path> localFile(Digest digest) {
            return Optional.empty();
        }

        public Optional<URI> redirectUrl(Digest digest) {
            return redirect.map(base -> base.resolve(digest.hex()));
        }

        public Optional<BlobDescriptor> mount(RepositoryName target, RepositoryName from, Digest digest) {
            return real.mount(target, from, digest);
        }

        public boolean dataStored(Digest digest) {
            return real.dataStored(digest);
        }

        public Optional<BlobDescriptor> linkStored(RepositoryName repo, Digest digest) {
            return real.linkStored(repo, digest);
        }

        public void delete(RepositoryName repo, Digest digest) {
            real.delete(repo, digest);
        }
    }

    private FleetMirrorNode start(Optional<URI> redirect, boolean redirectDisabled) throws Exception {
        Registry real = StoredRegistry.create(new FilesystemDriver(dir.resolve("storage")), RegistrySettings.defaults());
        Registry remoteLike = new Registry(new RemoteLikeBlobs(real.blobs(), redirect), real.uploads(), real.manifests(),
                real.tags(), real.catalog(), real.referrers());
        NodeConfig config = NodeConfig.defaults().withHttp(HttpConfig.loopback(0));
        config = config.withStorage(config.storage().withRedirectDisabled(redirectDisabled));
        return FleetMirrorNode.start(config, remoteLike).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private static void stop(FleetMirrorNode node) throws Exception {
        node.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @Test
    void blobWithoutLocalFileIsStreamedWholeAndInRanges() throws Exception {
        FleetMirrorNode node = start(Optional.empty(), false);
        try {
            RegistryClient client = new RegistryClient(node.port());
            byte[] content = TestImages.randomBytes(5 * 1024 * 1024 + 17, 30);
            Digest digest = client.pushBlob("streamed", content);

            HttpResponse<InputStream> whole = client.sendStreaming("/v2/streamed/blobs/" + digest);
            assertThat(whole.statusCode()).isEqualTo(200);
            assertThat(whole.headers().firstValue("Content-Length")).hasValue(Integer.toString(content.length));
            assertThat(RegistryClient.sha256(whole.body())).isEqualTo(digest);

            HttpResponse<byte[]> range = client.get("/v2/streamed/blobs/" + digest, "Range", "bytes=1000000-1000999");
            assertThat(range.statusCode()).isEqualTo(206);
            assertThat(range.body()).isEqualTo(Arrays.copyOfRange(content, 1_000_000, 1_001_000));
        } finally {
            stop(node);
        }
    }

    @Test
    void clientLeavingMidStreamClosesTheStorageStream() throws Exception {
        FleetMirrorNode node = start(Optional.empty(), false);
        try {
            RegistryClient client = new RegistryClient(node.port());
            byte[] content = TestImages.randomBytes(8 * 1024 * 1024, 31);
            Digest digest = client.pushBlob("leaving", content);
            for (int i = 0; i < 3; i++) {
                HttpResponse<InputStream> response = client.sendStreaming("/v2/leaving/blobs/" + digest);
                try (InputStream body = response.body()) {
                    assertThat(body.readNBytes(64 * 1024)).hasSize(64 * 1024);
                }
            }
            await("storage streams closed after clients left").atMost(Duration.ofSeconds(10)).until(() -> OPEN_STREAMS.get() == 0);
            assertThat(client.get("/v2/leaving/blobs/" + digest).body()).isEqualTo(content);
        } finally {
            stop(node);
        }
    }

    @Test
    void clientThatReadsNothingStopsTheNodeReadingAfterABoundedAmount() throws Exception {
        FleetMirrorNode node = start(Optional.empty(), false);
        try (Socket socket = new Socket()) {
            RegistryClient client = new RegistryClient(node.port());
            byte[] content = TestImages.randomBytes(64 * 1024 * 1024, 33);
            Digest digest = client.pushBlob("stalled", content);
            BYTES_READ.set(0);

            // A small receive window, so what the node read ahead is not hidden in this side's socket buffer.
            socket.setReceiveBufferSize(64 * 1024);
            socket.connect(new InetSocketAddress("127.0.0.1", node.port()));
            socket.getOutputStream().write(("GET /v2/stalled/blobs/" + digest + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            long settled = readUntilStable();
            // Chunks in flight (2 MiB) plus the kernel's send buffer (4 MiB on Linux at most) and our window.
            assertThat(settled).as("bytes read from storage while the client read nothing")
                    .isPositive().isLessThan(12L * 1024 * 1024);

            InputStream body = socket.getInputStream();
            String head = readHead(body);
            assertThat(head).startsWith("HTTP/1.1 200").contains("content-length: " + content.length);
            assertThat(RegistryClient.sha256(new java.io.ByteArrayInputStream(body.readNBytes(content.length))))
                    .isEqualTo(digest);
            assertThat(BYTES_READ.get()).isEqualTo(content.length);
        } finally {
            stop(node);
        }
    }

    /**
     * The storage-side count once it stopped moving for a second: "stopped" can only be seen over a
     * while, so the second is the definition, not a guess at how long the node needs.
     */
    private static long readUntilStable() {
        AtomicLong previous = new AtomicLong(-1);
        return await("the node to stop reading from storage for a client that reads nothing").atMost(Duration.ofSeconds(20))
                .pollDelay(Duration.ofSeconds(1)).pollInterval(Duration.ofSeconds(1))
                .until(BYTES_READ::get, current -> current == previous.getAndSet(current));
    }

    private static String readHead(InputStream in) throws java.io.IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            assertThat(b).as("response head ended early: " + head).isNotNegative();
            head.append((char) b);
        }
        return head.toString().toLowerCase(java.util.Locale.ROOT).replace("http/1.1", "HTTP/1.1");
    }

    @Test
    void redirectUrlAnswers307UnlessRedirectsAreDisabled() throws Exception {
        URI backend = URI.create("http://127.0.0.1:9/bucket/");
        FleetMirrorNode redirecting = start(Optional.of(backend), false);
        Digest digest;
        try {
            RegistryClient client = new RegistryClient(redirecting.port());
            digest = client.pushBlob("redirected", TestImages.randomBytes(100, 32));
            HttpResponse<byte[]> get = client.get("/v2/redirected/blobs/" + digest);
            assertThat(get.statusCode()).isEqualTo(307);
            assertThat(get.headers().firstValue("Location")).hasValue(backend.resolve(digest.hex()).toString());
            assertThat(client.head("/v2/redirected/blobs/" + digest).statusCode()).isEqualTo(200);
        } finally {
            stop(redirecting);
        }
        FleetMirrorNode direct = start(Optional.of(backend), true);
        try {
            HttpResponse<byte[]> get = new RegistryClient(direct.port()).get("/v2/redirected/blobs/" + digest);
            assertThat(get.statusCode()).isEqualTo(200);
            assertThat(get.body()).hasSize(100);
        } finally {
            stop(direct);
        }
    }
}
