package dev.fleetmirror.node.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fleetmirror.node.FleetMirrorNode;
import dev.fleetmirror.node.config.HttpConfig;
import dev.fleetmirror.node.config.HttpLimits;
import dev.fleetmirror.node.config.NodeConfig;
import dev.fleetmirror.node.config.StorageBackend;
import dev.fleetmirror.node.config.StorageConfig;
import dev.fleetmirror.node.testing.RegistryHttpClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The limits of {@code http.limits} and {@code http.timeouts}, over real sockets against an
 * in-process node: slow and idle clients are cut off in time while other clients are served.
 */
class ClientLimitsTest {
    private static final Duration HEAD = Duration.ofSeconds(1);

    @TempDir
    Path work;

    private FleetMirrorNode node;

    @AfterEach
    void stop() throws Exception {
        if (node != null) {
            node.close(1).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    private FleetMirrorNode start(HttpLimits limits) throws Exception {
        NodeConfig config = NodeConfig.defaults()
                .withHttp(HttpConfig.loopback(0).withLimits(limits))
                .withStorage(StorageConfig.of(new StorageBackend.Filesystem(work.resolve("storage"))));
        node = FleetMirrorNode.start(config).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        return node;
    }

    private static HttpLimits limits() {
        return HttpLimits.defaults().withRequestHead(HEAD);
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", node.port()), 2_000);
        return socket;
    }

    /**
     * A connection the node has taken and counts: it answered a request on it, and keeps it open
     * (keep-alive). Empty if the node closed it instead.
     */
    private Optional<Socket> heldConnection() throws IOException {
        Socket socket = connect();
        try {
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write("GET /v2/ HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            if (statusLine(socket.getInputStream()).equals("HTTP/1.1 200 OK")) {
                return Optional.of(socket);
            }
        } catch (SocketException closed) {
            // refused: closed or reset
        }
        socket.close();
        return Optional.empty();
    }

    /** The status line of a fresh connection's {@code GET /v2/}: the node still serves. */
    private String freshGet() throws IOException {
        try (Socket socket = connect()) {
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write("GET /v2/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            return statusLine(socket.getInputStream());
        }
    }

    private static String statusLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != -1 && c != '\r'; c = in.read()) {
            line.append((char) c);
        }
        return line.toString();
    }

    /** Milliseconds until the node closed {@code socket} (read -1 or reset), or -1 if it did not within {@code max}. */
    private static long closedWithin(Socket socket, long startedNanos, Duration max) throws IOException {
        socket.setSoTimeout((int) max.toMillis());
        try {
            while (socket.getInputStream().read() != -1) {
                // a response to a closed connection would be read here; keep reading until the end
            }
        } catch (SocketTimeoutException e) {
            return -1;
        } catch (SocketException e) {
            // reset: closed too
        }
        return (System.nanoTime() - startedNanos) / 1_000_000;
    }

    @Test
    void clientTricklingItsRequestHeadIsCutOffWhileOthersAreServed() throws Exception {
        start(limits());
        byte[] head = "GET /v2/ HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        try (Socket slow = connect()) {
            long started = System.nanoTime();
            OutputStream out = slow.getOutputStream();
            List<String> servedMeanwhile = new ArrayList<>();
            int sent = 0;
            try {
                // One byte every 100 ms: never idle, but the head would take 7 s to arrive.
                for (; sent < head.length; sent++) {
                    out.write(head[sent]);
                    out.flush();
                    Thread.sleep(100); // the trickle is the behaviour under test
                    if (sent % 5 == 0) {
                        servedMeanwhile.add(freshGet());
                    }
                }
            } catch (SocketException e) {
                // the node closed it: writing fails
            }
            long elapsed = closedWithin(slow, started, Duration.ofSeconds(5));
            assertThat(sent).as("bytes the node accepted before closing").isLessThan(head.length);
            assertThat(elapsed).as("ms until the node closed the trickling connection").isBetween(900L, 3_500L);
            assertThat(servedMeanwhile).isNotEmpty().allSatisfy(line -> assertThat(line).isEqualTo("HTTP/1.1 200 OK"));
        }
    }

    @Test
    void idleConnectionsAreClosedAndDoNotStopOthers() throws Exception {
        start(limits());
        List<Socket> idle = new ArrayList<>();
        try {
            long started = System.nanoTime();
            for (int i = 0; i < 50; i++) {
                idle.add(connect());
            }
            assertThat(freshGet()).isEqualTo("HTTP/1.1 200 OK");
            for (Socket socket : idle) {
                assertThat(closedWithin(socket, started, Duration.ofSeconds(5))).isBetween(900L, 4_000L);
            }
        } finally {
            for (Socket socket : idle) {
                socket.close();
            }
        }
    }

    @Test
    void requestInProgressLongerThanTheHeadDeadlineKeepsItsConnection() throws Exception {
        start(limits());
        URI base = URI.create("http://127.0.0.1:" + node.port());
        RegistryHttpClient.Response started = new RegistryHttpClient(base).call("POST", "/v2/slow/upload/blobs/uploads/").send();
        assertThat(started.status()).isEqualTo(202);
        String location = started.location();
        String path = location.startsWith("http") ? URI.create(location).getRawPath() : location;
        try (Socket socket = connect()) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            int size = 30;
            out.write(("PATCH " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\nContent-Length: "
                    + size + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            // The body takes 3 s, three times the head deadline.
            for (int i = 0; i < size; i++) {
                out.write('x');
                out.flush();
                Thread.sleep(100); // the slow body is the behaviour under test
            }
            assertThat(statusLine(socket.getInputStream())).isEqualTo("HTTP/1.1 202 Accepted");
        }
    }

    @Test
    void connectionsBeyondTheLimitAreClosedAtOnceAndFreeNoSlotTheyNeverHad() throws Exception {
        start(limits().withMaxConnections(5).withRequestHead(Duration.ofSeconds(5)));
        List<Socket> held = new ArrayList<>();
        try {
            for (int i = 0; i < 5; i++) {
                held.add(heldConnection().orElseThrow());
            }
            for (int i = 0; i < 4; i++) {
                try (Socket extra = connect()) {
                    long started = System.nanoTime();
                    assertThat(closedWithin(extra, started, Duration.ofSeconds(2))).as("ms until extra connection " + i + " was closed")
                            .isBetween(0L, 1_000L);
                }
            }
        } finally {
            for (Socket socket : held) {
                socket.close();
            }
            held.clear();
        }
        // The held ones gone, there is room for five again: four held and one served (the refused ones left no count behind).
        // A connection opened before the node has seen the old ones close is refused: try again until it is taken.
        try {
            for (int i = 0; i < 4; i++) {
                held.add(await("a connection the node keeps").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
                        .until(this::heldConnection, Optional::isPresent).orElseThrow());
            }
            assertThat(freshGet()).isEqualTo("HTTP/1.1 200 OK");
        } finally {
            for (Socket socket : held) {
                socket.close();
            }
        }
    }

    @Test
    void requestHeadsUpToTheConfiguredSizeAreServedAndLargerOnesAre431() throws Exception {
        // Above Netty's own default of 8 KiB, so that the configured limit is what decides.
        start(limits().withMaxHeaderBytes(16 * 1024));
        assertThat(headWithAuthorization(12 * 1024)).isEqualTo("HTTP/1.1 200 OK");
        assertThat(headWithAuthorization(17 * 1024)).startsWith("HTTP/1.1 431");
        try (Socket socket = connect()) {
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write(("GET /v2/" + "a/".repeat(9 * 1024) + "tags/list HTTP/1.1\r\nHost: x\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            assertThat(statusLine(socket.getInputStream())).matches("HTTP/1\\.[01] 414 .*");
        }
    }

    private String headWithAuthorization(int tokenLength) throws IOException {
        try (Socket socket = connect()) {
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write(("GET /v2/ HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + "t".repeat(tokenLength)
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            return statusLine(socket.getInputStream());
        }
    }

    @Test
    void uploadSessionsPerRepositoryAreCappedWith429() throws Exception {
        start(limits().withUploadSessions(3));
        RegistryHttpClient client = new RegistryHttpClient(URI.create("http://127.0.0.1:" + node.port()));
        List<String> sessions = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            RegistryHttpClient.Response response = client.call("POST", "/v2/team/app/blobs/uploads/").send();
            assertThat(response.status()).as(response.toString()).isEqualTo(202);
            sessions.add(response.location());
        }

        RegistryHttpClient.Response refused = client.call("POST", "/v2/team/app/blobs/uploads/").send();
        RegistryHttpClient.Response otherRepository = client.call("POST", "/v2/team/other/blobs/uploads/").send();
        RegistryHttpClient.Response cancelled = client.call("DELETE", sessions.get(0)).send();
        RegistryHttpClient.Response afterCancel = client.call("POST", "/v2/team/app/blobs/uploads/").send();

        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.errorCodes()).containsExactly("TOOMANYREQUESTS");
        assertThat(refused.text()).contains("upload sessions open");
        assertThat(otherRepository.status()).isEqualTo(202);
        assertThat(cancelled.status()).isEqualTo(204);
        assertThat(afterCancel.status()).isEqualTo(202);
    }
}
