package dev.fleetmirror.storage.s3;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.fleetmirror.core.storage.StorageUnavailableException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * 503 SlowDown is retried with back-off and, if it persists, becomes a clear "unavailable". No real
 * S3 endpoint here throttles on demand, so a loopback HTTP server plays one that does: it answers
 * SlowDown a set number of times, then serves the object.
 */
class S3ThrottlingTest {
    private static final String SLOW_DOWN = """
            <?xml version="1.0" encoding="UTF-8"?>
            <Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message>\
            <RequestId>1</RequestId></Error>""";

    /** The default strategy with short delays, so the test takes milliseconds instead of seconds. */
    private static final S3Clients.Retries RETRIES =
            new S3Clients.Retries(S3Clients.Retries.DEFAULT.maxAttempts(), Duration.ofMillis(5), Duration.ofMillis(10));

    private HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();
    private volatile int throttled;

    @BeforeEach
    void startThrottlingEndpoint() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            boolean slowDown = requests.incrementAndGet() <= throttled;
            byte[] body = (slowDown ? SLOW_DOWN : "stored bytes").getBytes(UTF_8);
            exchange.getResponseHeaders().add("Content-Type", slowDown ? "application/xml" : "application/octet-stream");
            if (!slowDown) {
                exchange.getResponseHeaders().add("ETag", "\"0\"");
            }
            exchange.sendResponseHeaders(slowDown ? 503 : 200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void slowDownIsRetriedUntilS3Answers() {
        throttled = RETRIES.maxAttempts() - 1;
        try (S3StorageDriver driver = S3StorageDriver.open(config(), List.of(), RETRIES)) {
            assertThat(driver.getContent("/some/file")).isEqualTo("stored bytes".getBytes(UTF_8));
        }
        assertThat(requests.get()).isEqualTo(RETRIES.maxAttempts());
    }

    @Test
    void persistentSlowDownIsUnavailableAfterTheRetries() {
        throttled = Integer.MAX_VALUE;
        try (S3StorageDriver driver = S3StorageDriver.open(config(), List.of(), RETRIES)) {
            assertThatThrownBy(() -> driver.getContent("/some/file"))
                    .isInstanceOf(StorageUnavailableException.class)
                    .hasMessageContaining("503 SlowDown").hasMessageContaining("after retries");
        }
        assertThat(requests.get()).isEqualTo(RETRIES.maxAttempts());
    }

    private S3StorageConfig config() {
        return S3StorageConfig.of("bucket", URI.create("http://127.0.0.1:" + server.getAddress().getPort()), "a", "b");
    }
}
