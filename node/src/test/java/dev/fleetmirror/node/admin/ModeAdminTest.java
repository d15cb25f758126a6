package dev.fleetmirror.node.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fleetmirror.node.FleetMirrorNode;
import dev.fleetmirror.node.config.ConfigLoader;
import dev.fleetmirror.node.testing.RegistryHttpClient;
import dev.fleetmirror.node.testing.TestUsers;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /admin/v1/mode} takes the mode in either spelling and answers the enum's name, as the README says. */
class ModeAdminTest {
    @TempDir
    Path work;

    @Test
    void eitherSpellingSwitchesAndTheAnswerNamesTheMode() throws Exception {
        FleetMirrorNode node = FleetMirrorNode.start(ConfigLoader.fromYaml(TestUsers.loopbackNodeYaml(work), Map.of()))
                .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        try {
            RegistryHttpClient client = new RegistryHttpClient(URI.create("http://127.0.0.1:" + node.port()));
            assertThat(put(client, "READ_ONLY").json().path("mode").asText()).isEqualTo("READ_ONLY");
            assertThat(client.call("GET", ModeAdmin.PATH).send().json().path("mode").asText()).isEqualTo("READ_ONLY");
            assertThat(put(client, "read-write").json().path("mode").asText()).isEqualTo("READ_WRITE");
            assertThat(put(client, "Read-Only").json().path("mode").asText()).isEqualTo("READ_ONLY");
            RegistryHttpClient.Response unknown = put(client, "sideways");
            assertThat(unknown.status()).isEqualTo(400);
            assertThat(unknown.errorCodes()).containsExactly("UNSUPPORTED");
            assertThat(unknown.text()).contains("read-only", "read-write");
            assertThat(client.call("GET", ModeAdmin.PATH).send().json().path("mode").asText())
                    .as("a refused switch changes nothing").isEqualTo("READ_ONLY");
        } finally {
            node.close(1).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    private static RegistryHttpClient.Response put(RegistryHttpClient client, String mode) {
        return client.call("PUT", ModeAdmin.PATH).header("Content-Type", "application/json")
                .body(("{\"mode\": \"" + mode + "\"}").getBytes(StandardCharsets.UTF_8)).send();
    }
}
