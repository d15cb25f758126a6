package dev.fleetmirror.node.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServerOptions;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HttpServersTest {
    private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(4));

    @AfterEach
    void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void connectionsToTheOnePortAreServedByEveryServersOwnEventLoopInTurn() throws Exception {
        AtomicInteger opened = new AtomicInteger();
        HttpServers servers = HttpServers.listen(vertx, new HttpServerOptions().setHost("127.0.0.1").setPort(0), 3,
                        connection -> opened.incrementAndGet(),
                        request -> request.response().end(Thread.currentThread().getName()))
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(servers.count()).isEqualTo(3);
        assertThat(servers.port()).isPositive();

        Set<String> loops = new HashSet<>();
        for (int i = 0; i < 6; i++) {
            RawHttp.Response answer = RawHttp.exchange(servers.port(), "GET", "/", Map.of(), null);
            assertThat(answer.status()).isEqualTo(200);
            loops.add(answer.body());
        }
        // Six connections, handed out in turn: each of the three servers, on an event loop of its own, took two.
        assertThat(loops).hasSize(3).allSatisfy(thread -> assertThat(thread).startsWith("vert.x-eventloop-thread-"));
        assertThat(opened).hasValue(6);
    }

    @Test
    void shutdownStopsEveryServerFromAcceptingConnections() throws Exception {
        String ours = UUID.randomUUID().toString();
        HttpServers servers = HttpServers.listen(vertx, new HttpServerOptions().setHost("127.0.0.1").setPort(0), 2,
                        connection -> { }, request -> request.response().end(ours))
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        int port = servers.port();
        assertThat(RawHttp.exchange(port, "GET", "/", Map.of(), null).body()).isEqualTo(ours);

        servers.shutdown(1, TimeUnit.SECONDS).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

        // Refused; or, the port being free again, taken by another test's server meanwhile: never answered by ours.
        for (int i = 0; i < 2; i++) {
            String answer;
            try {
                answer = RawHttp.exchange(port, "GET", "/", Map.of(), null).body();
            } catch (UncheckedIOException refused) {
                answer = null;
            }
            assertThat(answer).isNotEqualTo(ours);
        }
    }

    @Test
    void aPortTakenByAnotherServerFailsTheStartAndLeavesNoServerRunning() throws Exception {
        HttpServers first = HttpServers.listen(vertx, new HttpServerOptions().setHost("127.0.0.1").setPort(0), 1,
                        connection -> { }, request -> request.response().end("first"))
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(() -> HttpServers.listen(vertx, new HttpServerOptions().setHost("127.0.0.1")
                            .setPort(taken.getLocalPort()), 2, connection -> { }, request -> request.response().end("x"))
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS))
                    .hasMessageContaining("Address already in use");
        }
        assertThat(RawHttp.exchange(first.port(), "GET", "/", Map.of(), null).body()).isEqualTo("first");
    }
}
