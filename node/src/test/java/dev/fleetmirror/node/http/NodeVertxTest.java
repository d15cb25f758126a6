package dev.fleetmirror.node.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fleetmirror.node.config.HttpConfig;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class NodeVertxTest {

    @Test
    void onLinuxX8664TheNodeRunsOnEpollAndOnNioWhenTurnedOff() throws Exception {
        // The packaged native library is Linux x86_64's; elsewhere the node runs on NIO, which its other tests cover.
        assumeTrue(System.getProperty("os.name").toLowerCase().contains("linux")
                && System.getProperty("os.arch").matches("amd64|x86_64"), "epoll's library is packaged for Linux x86_64 only");
        Vertx preferred = NodeVertx.create(HttpConfig.loopback(0));
        Vertx turnedOff = NodeVertx.create(HttpConfig.loopback(0).withNativeTransport(false));
        try {
            assertThat(preferred.isNativeTransportEnabled())
                    .as("epoll loads: %s", String.valueOf(preferred.unavailableNativeTransportCause())).isTrue();
            assertThat(turnedOff.isNativeTransportEnabled()).isFalse();
        } finally {
            preferred.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            turnedOff.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }
}
