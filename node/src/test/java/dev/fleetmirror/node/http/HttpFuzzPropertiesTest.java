package dev.fleetmirror.node.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.manifest.MediaTypes;
import dev.fleetmirror.core.testing.Draw;
import dev.fleetmirror.core.testing.SeededCases;
import dev.fleetmirror.node.FleetMirrorNode;
import dev.fleetmirror.node.config.HttpConfig;
import dev.fleetmirror.node.config.NodeConfig;
import dev.fleetmirror.node.config.StorageBackend;
import dev.fleetmirror.node.config.StorageConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Random requests against an in-process node holding one image and one open upload: random
 * methods, names, references, digests, upload ids, query parameters, headers (Range,
 * Content-Range, Content-Type, Content-Length) and bodies. None gets a 5xx, and every one the node
 * refuses (4xx) leaves storage exactly as it was: the same files, sizes and modification times.
 * The 300 requests are drawn from a fixed seed ({@link SeededCases}); the requests that once broke
 * that rule follow as regression cases of their own.
 */
class HttpFuzzPropertiesTest {
    private static Path work;
    private static Path storage;
    private static FleetMirrorNode node;
    private static String uploadId;
    private static Digest layer;
    private static Digest manifest;

    @BeforeAll
    static void start() throws Exception {
        work = Files.createTempDirectory("http-fuzz");
        storage = work.resolve("storage");
        NodeConfig config = NodeConfig.defaults()
                .withHttp(HttpConfig.loopback(0))
                .withStorage(StorageConfig.of(new StorageBackend.Filesystem(storage)));
        node = FleetMirrorNode.start(config).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        byte[] configBlob = "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
        byte[] layerBlob = "layer bytes".repeat(100).getBytes(StandardCharsets.UTF_8);
        Digest configDigest = push(configBlob);
        layer = push(layerBlob);
        byte[] body = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":{\"mediaType\":\""
                + MediaTypes.OCI_CONFIG + "\",\"digest\":\"" + configDigest + "\",\"size\":" + configBlob.length
                + "},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"" + layer
                + "\",\"size\":" + layerBlob.length + "}]}").getBytes(StandardCharsets.UTF_8);
        RawHttp.Response put = RawHttp.exchange(node.port(), "PUT", "/v2/team/app/manifests/v1",
                Map.of("Content-Type", MediaTypes.OCI_MANIFEST), body);
        assertThat(put.status()).as(put.toString()).isEqualTo(201);
        manifest = Digest.sha256(body);
        RawHttp.Response session = RawHttp.exchange(node.port(), "POST", "/v2/team/app/blobs/uploads/", Map.of(), new byte[0]);
        assertThat(session.status()).as(session.toString()).isEqualTo(202);
        uploadId = session.head().lines().filter(l -> l.toLowerCase().startsWith("docker-upload-uuid:"))
                .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElseThrow();
        RawHttp.Response chunk = RawHttp.exchange(node.port(), "PATCH", "/v2/team/app/blobs/uploads/" + uploadId,
                Map.of("Content-Type", "application/octet-stream"), "first chunk".getBytes(StandardCharsets.UTF_8));
        assertThat(chunk.status()).as(chunk.toString()).isEqualTo(202);
    }

    private static Digest push(byte[] blob) {
        Digest digest = Digest.sha256(blob);
        RawHttp.Response response = RawHttp.exchange(node.port(), "POST", "/v2/team/app/blobs/uploads/?digest=" + digest,
                Map.of("Content-Type", "application/octet-stream"), blob);
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        return digest;
    }

    @AfterAll
    static void stop() throws Exception {
        if (node != null) {
            node.close(1).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        try (Stream<Path> files = Files.walk(work)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    record Request(String method, String target, Map<String, String> headers, byte[] body) {
        @Override
        public String toString() {
            return method + " " + target + " " + headers + " (" + (body == null ? "no" : body.length) + " bytes)";
        }
    }

    static Stream<Arguments> requests() {
        return SeededCases.of(0x68747470L, 300, HttpFuzzPropertiesTest::request);
    }

    @ParameterizedTest
    @MethodSource("requests")
    void randomRequestsNeverFailTheServerAndRefusedOnesChangeNothing(Request request) {
        List<String> before = tree();

        RawHttp.Response response = RawHttp.exchange(node.port(), request.method(), request.target(), request.headers(),
                request.body());

        assertThat(response.status()).as(request + " -> " + response).isBetween(200, 499);
        if (response.status() >= 400) {
            List<String> after = tree();
            List<String> added = after.stream().filter(f -> !before.contains(f)).toList();
            List<String> removed = before.stream().filter(f -> !after.contains(f)).toList();
            assertThat(added).as(request + " -> " + response + "\nadded to storage").isEmpty();
            assertThat(removed).as(request + " -> " + response + "\nremoved from storage").isEmpty();
        }
    }

    /** Found by this test: an empty repository name was a 500. */
    @Test
    void anEmptyRepositoryNameIsNameInvalid() {
        RawHttp.Response response = refusedWithoutChange(new Request("GET", "/v2//manifests/x", Map.of(), null));
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.body()).contains("NAME_INVALID");
    }

    /** Found by this test: a malformed percent-escape in the query was a 500. */
    @Test
    void aMalformedPercentEscapeInTheQueryIsRefused() {
        RawHttp.Response response = refusedWithoutChange(new Request("GET", "/v2/team/app/tags/list?n=%zz", Map.of(), null));
        assertThat(response.status()).isEqualTo(400);
    }

    /**
     * Found by this test: a monolithic upload ({@code POST ?digest=}) that failed after its session
     * was opened (here on its Content-Range) left that session behind.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"x | 400", "5-3 | 416", "0-1 | 400", "'' | 400"})
    void aFailedMonolithicUploadLeavesNoSessionBehind(String contentRange, int status) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/octet-stream");
        headers.put("Content-Range", contentRange);
        RawHttp.Response response = refusedWithoutChange(new Request("POST", "/v2/team/app/blobs/uploads/?digest=sha256:"
                + "0".repeat(64), headers, "not those bytes".getBytes(StandardCharsets.UTF_8)));
        assertThat(response.status()).isEqualTo(status);
    }

    private static RawHttp.Response refusedWithoutChange(Request request) {
        List<String> before = tree();
        RawHttp.Response response = RawHttp.exchange(node.port(), request.method(), request.target(), request.headers(),
                request.body());
        assertThat(response.status()).as(request + " -> " + response).isBetween(400, 499);
        assertThat(tree()).as(request + " -> " + response + "\nstorage").isEqualTo(before);
        return response;
    }

    private static Request request(Draw draw) {
        while (true) {
            Request r = new Request(draw.pick("GET", "HEAD", "PUT", "PATCH", "POST", "DELETE", "OPTIONS", "TRACE", "get", "FOO"),
                    target(draw), headers(draw), body(draw));
            // Requests that may legitimately change storage are made only of what cannot succeed.
            boolean deletesWhatIsStored = r.method().equals("DELETE") && (r.target().contains(manifest.hex())
                    || r.target().contains(layer.hex()) || r.target().contains("/v1"));
            boolean startsAnUpload = r.method().equals("POST") && !r.target().contains("digest=");
            if (!deletesWhatIsStored && !startsAnUpload) {
                return r;
            }
        }
    }

    private static String target(Draw draw) {
        String name = draw.oneOf(() -> draw.pick("team/app", "team/app", "team/other", "a", "Team/App", "..", "team/../app",
                "%2e%2e/app", "team%2fapp", "", "team//app", "-x", "a".repeat(300)), () -> text(draw, 12));
        String digest = digest(draw);
        String reference = draw.oneOf(() -> digest(draw), () -> draw.pick("v1", "latest", "v2", ".hidden", "a".repeat(200)),
                () -> text(draw, 10));
        String upload = draw.oneOf(() -> draw.pick(uploadId, new UUID(draw.anyLong(), draw.anyLong()).toString(), "", "..",
                uploadId + "x"), () -> text(draw, 40));
        String query = draw.oneOf(() -> "",
                () -> "?digest=" + digest(draw),
                () -> "?mount=" + digest(draw) + "&from=" + name,
                () -> draw.pick("?n=-1", "?n=abc", "?n=99999999999999", "?last=%ff", "?n=0&last=", "?ns=docker.io", "?digest="),
                () -> "?" + text(draw, 15));
        String raw = switch (draw.between(0, 8)) {
            case 0 -> "/v2/" + name + "/manifests/" + reference + query;
            case 1 -> "/v2/" + name + "/blobs/" + digest + query;
            case 2 -> "/v2/" + name + "/blobs/uploads/" + query;
            case 3 -> "/v2/" + name + "/blobs/uploads/" + upload + query;
            case 4 -> "/v2/" + name + "/tags/list" + query;
            case 5 -> "/v2/" + name + "/referrers/" + digest + query;
            case 6 -> "/v2/_catalog" + query;
            case 7 -> "/v2/" + query;
            default -> "/" + name + "/" + reference;
        };
        return requestTarget(raw);
    }

    private static String digest(Draw draw) {
        return draw.oneOf(() -> draw.pick(manifest.toString(), layer.toString(), "sha256:" + "0".repeat(64),
                "sha512:" + "a".repeat(128), "sha256:" + manifest.hex().toUpperCase(), "sha256:", "md5:abc",
                "sha256:" + "0".repeat(63)), () -> text(draw, 20));
    }

    /** What may stand in a request line: no spaces or line breaks (those would make another request). */
    private static String requestTarget(String raw) {
        StringBuilder out = new StringBuilder();
        for (byte b : raw.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c <= 0x20 || c >= 0x7f || c == '#') {
                out.append('%').append(String.format("%02X", c));
            } else {
                out.append((char) c);
            }
        }
        return out.toString();
    }

    private static Map<String, String> headers(Draw draw) {
        Optional<String> range = optional(draw, () -> draw.oneOf(() -> draw.pick("bytes=0-0", "bytes=5-", "bytes=-3", "bytes=10-2",
                "bytes=0-1,4-5", "bytes=99999999999999999999-", "bytes=abc"), () -> text(draw, 12)));
        Optional<String> contentRange = optional(draw, () -> draw.oneOf(() -> draw.pick("0-10", "11-20", "bytes 11-30/*", "5-3", "11-",
                "0-9223372036854775807", "11-9223372036854775807", "-1-5"), () -> text(draw, 12)));
        Optional<String> contentType = optional(draw, () -> draw.oneOf(() -> draw.pick(MediaTypes.OCI_MANIFEST, MediaTypes.OCI_INDEX,
                "application/octet-stream", "application/json", ""), () -> text(draw, 20)));
        Optional<String> accept = optional(draw, () -> draw.oneOf(() -> draw.pick(MediaTypes.OCI_MANIFEST, "*/*", ""),
                () -> text(draw, 20)));
        Optional<String> authorization = optional(draw, () -> text(draw, 30));
        Map<String, String> headers = new LinkedHashMap<>();
        range.ifPresent(v -> headers.put("Range", v));
        contentRange.ifPresent(v -> headers.put("Content-Range", v));
        contentType.ifPresent(v -> headers.put("Content-Type", v));
        accept.ifPresent(v -> headers.put("Accept", v));
        authorization.ifPresent(v -> headers.put("Authorization", v));
        headers.replaceAll((k, v) -> headerValue(v));
        return headers;
    }

    /** A header value that stays one header: no line breaks or other control characters. */
    private static String headerValue(String value) {
        return value.codePoints().filter(c -> c >= 0x20 && c != 0x7f && c < 0x100)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString().trim();
    }

    private static Optional<String> optional(Draw draw, java.util.function.Supplier<String> value) {
        return draw.oneIn(2) ? Optional.of(value.get()) : Optional.empty();
    }

    private static byte[] body(Draw draw) {
        return draw.oneOf(() -> null, () -> draw.bytes(200),
                () -> draw.pick("{}", "{\"schemaVersion\":2}", "[]", "null", "{\"schemaVersion\":2,\"mediaType\":\""
                        + MediaTypes.OCI_MANIFEST + "\",\"config\":{\"digest\":\"sha256:" + "1".repeat(64)
                        + "\",\"size\":1,\"mediaType\":\"" + MediaTypes.OCI_CONFIG + "\"},\"layers\":[]}")
                        .getBytes(StandardCharsets.UTF_8));
    }

    private static String text(Draw draw, int maxLength) {
        return draw.oneOf(() -> draw.text(maxLength), () -> draw.text("abz09./%_-:@?&=#\\~+ ", 0, maxLength));
    }

    /**
     * Every file under the storage root with its size and modification time; not the cluster state
     * snapshot ({@code fleetmirror/cluster/}), which the node rewrites on its own schedule.
     */
    private static List<String> tree() {
        return FileTree.snapshot(storage, p -> p.startsWith(Path.of("fleetmirror", "cluster")));
    }
}
