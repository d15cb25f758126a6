package dev.fleetmirror.node.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fleetmirror.node.FleetMirrorNode;
import dev.fleetmirror.node.config.ConfigLoader;
import dev.fleetmirror.node.testing.RegistryHttpClient;
import dev.fleetmirror.node.testing.TestUsers;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Paging the catalog past more hidden repositories than one storage page holds: every visible name
 * is listed exactly once, in order, and no page's {@code Link} names a repository the caller may not
 * see (moving {@code last=} would otherwise be an oracle for hidden names).
 */
class CatalogPagingTest {
    private static final int HIDDEN = 1_500;

    @TempDir
    Path work;

    @Test
    void pagesListEveryVisibleNameAndTheirLinksNameNoHiddenOne() throws Exception {
        Path storage = work.resolve("storage");
        List<String> visible = List.of("a/first", "m/middle", "z/last");
        // Hidden names sort between the visible ones; a repository is a directory holding _layers.
        for (int i = 0; i < HIDDEN; i++) {
            Files.createDirectories(repository(storage, "h/secret-" + String.format("%05d", i)));
        }
        for (int i = 0; i < 20; i++) {
            Files.createDirectories(repository(storage, "n/secret-" + i));
        }
        for (String name : visible) {
            Files.createDirectories(repository(storage, name));
        }
        Path htpasswd = TestUsers.htpasswd(work.resolve("htpasswd"), Map.of("alice", "alice-pw"));
        FleetMirrorNode node = FleetMirrorNode.start(ConfigLoader.fromYaml(TestUsers.loopbackNodeYaml(storage) + """
                auth:
                  htpasswd:
                    path: %s
                access:
                  - {repository: "h/**", users: [alice], actions: [pull]}
                  - {repository: "n/**", users: [alice], actions: [pull]}
                  - {repository: "h/**", users: ["*"], anonymous: true, actions: []}
                  - {repository: "n/**", users: ["*"], anonymous: true, actions: []}
                  - {repository: "**", users: ["*"], anonymous: true, actions: [pull]}
                """.formatted(htpasswd), Map.of())).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        try {
            RegistryHttpClient client = new RegistryHttpClient(URI.create("http://127.0.0.1:" + node.port()));
            for (int n : new int[] {1, 2, 1000}) {
                assertThat(walk(client, n, null)).as("anonymous, n=" + n).isEqualTo(visible);
            }
            String alice = TestUsers.basic("alice", "alice-pw");
            assertThat(walk(client, 500, alice)).as("alice sees every repository").hasSize(HIDDEN + 20 + visible.size());
        } finally {
            node.close(1).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    /** Follows the Link headers from the first page; fails when a Link names what was not listed. */
    private static List<String> walk(RegistryHttpClient client, int n, String authorization) {
        List<String> listed = new ArrayList<>();
        String next = "/v2/_catalog?n=" + n;
        for (int page = 0; next != null; page++) {
            assertThat(page).as("pages").isLessThan(5_000);
            RegistryHttpClient.Call call = client.call("GET", next);
            if (authorization != null) {
                call.header("Authorization", authorization);
            }
            RegistryHttpClient.Response answer = call.send();
            assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
            answer.json().path("repositories").forEach(r -> listed.add(r.asText()));
            String link = answer.headerOrEmpty("Link");
            if (link.isEmpty()) {
                next = null;
                continue;
            }
            Matcher last = Pattern.compile("last=([^&>]+)").matcher(link);
            assertThat(last.find()).as(link).isTrue();
            assertThat(listed).as("the Link's last= is a name this walk listed").contains(
                    URLDecoder.decode(last.group(1), StandardCharsets.UTF_8));
            next = link.substring(link.indexOf('<') + 1, link.indexOf('>'));
        }
        assertThat(listed).as("each name once").doesNotHaveDuplicates();
        return listed;
    }

    private static Path repository(Path storage, String name) {
        return storage.resolve("docker/registry/v2/repositories").resolve(name).resolve("_layers");
    }
}
