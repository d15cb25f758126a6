package dev.fleetmirror.node.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fleetmirror.node.FleetMirrorNode;
import dev.fleetmirror.node.config.HttpConfig;
import dev.fleetmirror.node.config.NodeConfig;
import dev.fleetmirror.node.config.StorageBackend;
import dev.fleetmirror.node.config.StorageConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Names, references, digests and upload ids that try to climb out of the storage root ({@code ..},
 * {@code %2e%2e}, encoded slashes and backslashes, absolute paths), sent byte for byte over HTTP:
 * each gets the spec's 400 (404 BLOB_UPLOAD_UNKNOWN for an upload id, 404 MANIFEST_UNKNOWN for a
 * GET of a tag that cannot exist, 404 NAME_UNKNOWN where raw slashes leave no API route) and no
 * file appears or changes anywhere under the test's directory, inside the storage root or beside
 * it. Percent-escapes are decoded before the grammar is checked, so {@code team%2fapp} is simply
 * {@code team/app}, as in Distribution.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PathEscapeTest {
    private Path work;
    private Path storage;
    private FleetMirrorNode node;

    @BeforeAll
    void start() throws Exception {
        work = Files.createTempDirectory("path-escape");
        storage = work.resolve("a/b/c/storage");
        Files.createDirectories(work.resolve("a/b/c/docker/registry/v2"));
        Files.writeString(work.resolve("a/b/c/sentinel"), "outside the root");
        NodeConfig config = NodeConfig.defaults()
                .withHttp(HttpConfig.loopback(0))
                .withStorage(StorageConfig.of(new StorageBackend.Filesystem(storage)));
        node = FleetMirrorNode.start(config).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        // Something stored, so that a traversal into a real repository would have something to find.
        RawHttp.Response started = RawHttp.exchange(node.port(), "POST", "/v2/team/app/blobs/uploads/", Map.of(), new byte[0]);
        assertThat(started.status()).as(started.toString()).isEqualTo(202);
    }

    @AfterAll
    void stop() throws Exception {
        if (node != null) {
            node.close(1).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        try (Stream<Path> files = Files.walk(work)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @ParameterizedTest(name = "{0} {1} -> {2} {3}")
    @CsvSource(delimiter = '|', value = {
        "GET    | /v2/../../../sentinel/manifests/latest                    | 400 | NAME_INVALID",
        "GET    | /v2/team/../../../../manifests/latest                     | 400 | NAME_INVALID",
        "GET    | /v2/%2e%2e/%2e%2e/%2e%2e/sentinel/manifests/latest        | 400 | NAME_INVALID",
        "GET    | /v2/%2E%2E%2F%2E%2E/tags/list                             | 400 | NAME_INVALID",
        "GET    | /v2/team%2f..%2fapp/tags/list                             | 400 | NAME_INVALID",
        "GET    | /v2/team%5c..%5c..%5capp/tags/list                        | 400 | NAME_INVALID",
        "GET    | /v2//etc/passwd/manifests/latest                          | 400 | NAME_INVALID",
        "PUT    | /v2/%2Fetc%2Fpasswd/manifests/latest                      | 400 | NAME_INVALID",
        "GET    | /v2//manifests/latest                                     | 400 | NAME_INVALID",
        "GET    | /v2/team/app/tags/list?n=%zz&last=%2e%2e%2f                | 400 | UNSUPPORTED",
        "GET    | /v2//blobs/sha256:0000000000000000000000000000000000000000000000000000000000000000 | 400 | NAME_INVALID",
        "POST   | /v2//blobs/uploads/                                       | 400 | NAME_INVALID",
        "DELETE | /v2/team/app/../../../a/manifests/latest                  | 400 | NAME_INVALID",
        "GET    | /v2/team/app/manifests/..%2f..%2f..%2fsentinel             | 404 | MANIFEST_UNKNOWN",
        "PUT    | /v2/team/app/manifests/..                                 | 400 | TAG_INVALID",
        "GET    | /v2/team/app/manifests/sha256:..%2f..%2f..                | 400 | DIGEST_INVALID",
        "GET    | /v2/team/app/blobs/sha256:../../../../sentinel            | 404 | NAME_UNKNOWN",
        "GET    | /v2/team/app/blobs/sha256:..%2f..%2f..%2fsentinel          | 400 | DIGEST_INVALID",
        "GET    | /v2/team/app/blobs/sha256:%2e%2e%2f%2e%2e                 | 400 | DIGEST_INVALID",
        "DELETE | /v2/team/app/blobs/sha256:%2fetc%2fpasswd                 | 400 | DIGEST_INVALID",
        "GET    | /v2/team/app/blobs/..%2f..%2f..%2fsentinel                 | 400 | DIGEST_INVALID",
        "POST   | /v2/team/app/blobs/uploads/?digest=sha256:../../x         | 400 | DIGEST_INVALID",
        "POST   | /v2/team/app/blobs/uploads/?mount=sha256:..%2f..&from=team/app | 400 | DIGEST_INVALID",
        "POST   | /v2/team/app/blobs/uploads/?mount=sha256:0000000000000000000000000000000000000000000000000000000000000000&from=..%2f.. | 400 | NAME_INVALID",
        "PATCH  | /v2/team/app/blobs/uploads/..%2f..%2f..%2fsentinel         | 404 | BLOB_UPLOAD_UNKNOWN",
        "PATCH  | /v2/team/app/blobs/uploads/%2e%2e                         | 404 | BLOB_UPLOAD_UNKNOWN",
        "PUT    | /v2/team/app/blobs/uploads/..?digest=sha256:0000000000000000000000000000000000000000000000000000000000000000 | 404 | BLOB_UPLOAD_UNKNOWN",
        "GET    | /v2/team/app/blobs/uploads/%2fetc%2fpasswd                 | 404 | BLOB_UPLOAD_UNKNOWN",
        "DELETE | /v2/team/app/blobs/uploads/..%5c..%5c..                    | 404 | BLOB_UPLOAD_UNKNOWN",
    })
    void escapingNamesAreRefusedAndTouchNothing(String method, String target, int status, String code) {
        List<String> before = tree();

        RawHttp.Response response = RawHttp.exchange(node.port(), method, target, Map.of("Content-Type", "application/octet-stream"),
                "../../escape".getBytes(StandardCharsets.UTF_8));

        assertThat(response.status()).as(response.toString()).isEqualTo(status);
        assertThat(response.body()).as(response.toString()).contains("\"code\":\"" + code + "\"");
        assertThat(tree()).isEqualTo(before);
    }

    /** Every file and directory under the test's directory, with sizes and modification times. */
    private List<String> tree() {
        return FileTree.snapshot(work, p -> false);
    }
}
