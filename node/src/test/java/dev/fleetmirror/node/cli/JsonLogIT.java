package dev.fleetmirror.node.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fleetmirror.node.testing.NodeProcess;
import dev.fleetmirror.node.testing.RegistryHttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The jar with {@code log.formatter: json}: every line it writes is one JSON object, the access log's fields included. */
class JsonLogIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path work;

    @Test
    void everyLineIsAJsonObjectAndTheAccessLogCarriesItsFields() throws Exception {
        String log;
        try (NodeProcess node = NodeProcess.start(work.resolve("node"), work.resolve("storage"), """
                log:
                  level: info
                  formatter: json
                """, List.of())) {
            RegistryHttpClient.Response answer = new RegistryHttpClient(node.baseUri()).call("GET", "/v2/")
                    .header("X-Request-Id", "json-log-1").send();
            assertThat(answer.status()).isEqualTo(200);
            // The access log is written from a queue: wait for its line.
            await().atMost(Duration.ofSeconds(10)).until(() -> node.logText().contains("json-log-1"));
            log = node.logText();
        }
        List<JsonNode> lines = new ArrayList<>();
        for (String line : log.split("\n")) {
            if (!line.isBlank()) {
                lines.add(JSON.readTree(line));
            }
        }
        assertThat(lines).allSatisfy(line -> assertThat(line.isObject()).as(line.toString()).isTrue());
        assertThat(lines).anySatisfy(line -> assertThat(line.path("formattedMessage").asText()).contains("serving the registry"));
        // The start-up's readiness checks came first: the line of this request is the one with its id.
        JsonNode access = lines.stream().filter(line -> line.path("loggerName").asText().equals("fleetmirror.access")
                && line.toString().contains("json-log-1")).findFirst().orElseThrow();
        assertThat(access.path("formattedMessage").asText()).contains("GET /v2/").contains("id=json-log-1");
        assertThat(access.path("kvpList").toString()).contains("\"request_id\":\"json-log-1\"").contains("\"status\":\"200\"");
    }
}
