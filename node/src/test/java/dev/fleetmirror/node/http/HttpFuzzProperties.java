package dev.fleetmirror.node.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.manifest.MediaTypes;
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
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Random requests against an in-process node holding one image and one open upload: random
 * methods, names, references, digests, upload ids, query parameters, headers (Range,
 * Content-Range, Content-Type, Content-Length) and bodies. None gets a 5xx, and every one the node
 * refuses (4xx) leaves storage exactly as it was: the same files, sizes and modification times.
 */
class HttpFuzzProperties {
    private static Path work;
    private static Path storage;
    private static FleetMirrorNode node;
    private static String uploadId;
    private static Digest layer;
    private static Digest manifest;

    @BeforeContainer
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

    @AfterContainer
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

    @Property(tries = 300)
    void randomRequestsNeverFailTheServerAndRefusedOnesChangeNothing(@ForAll("requests") Request request) {
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

    @Provide
    Arbitrary<Request> requests() {
        Arbitrary<String> method = Arbitraries.of("GET", "HEAD", "PUT", "PATCH", "POST", "DELETE", "OPTIONS", "TRACE", "get", "FOO");
        return Combinators.combine(method, targets(), headers(), bodies())
                .as((m, target, headers, body) -> new Request(m, target, headers, body))
                // Requests that may legitimately change storage are made only of what cannot succeed.
                .filter(r -> !(r.method().equals("DELETE") && (r.target().contains(manifest.hex()) || r.target().contains(layer.hex())
                        || r.target().contains("/v1"))))
                .filter(r -> !(r.method().equals("POST") && !r.target().contains("digest=")));
    }

    private Arbitrary<String> targets() {
        Arbitrary<String> name = Arbitraries.oneOf(Arbitraries.of("team/app", "team/app", "team/other", "a", "Team/App", "..",
                "team/../app", "%2e%2e/app", "team%2fapp", "", "team//app", "-x", "a".repeat(300)), text(12));
        Arbitrary<String> digest = Arbitraries.oneOf(Arbitraries.of(manifest.toString(), layer.toString(),
                "sha256:" + "0".repeat(64), "sha512:" + "a".repeat(128), "sha256:" + manifest.hex().toUpperCase(), "sha256:",
                "md5:abc", "sha256:" + "0".repeat(63)), text(20));
        Arbitrary<String> reference = Arbitraries.oneOf(digest, Arbitraries.of("v1", "latest", "v2", ".hidden", "a".repeat(200)), text(10));
        Arbitrary<String> id = Arbitraries.oneOf(Arbitraries.of(uploadId, UUID.randomUUID().toString(), "", "..", uploadId + "x"),
                text(40));
        Arbitrary<String> query = Arbitraries.oneOf(Arbitraries.just(""),
                digest.map(d -> "?digest=" + d),
                Combinators.combine(digest, name).as((d, n) -> "?mount=" + d + "&from=" + n),
                Arbitraries.of("?n=-1", "?n=abc", "?n=99999999999999", "?last=%ff", "?n=0&last=", "?ns=docker.io", "?digest="),
                text(15).map(t -> "?" + t));
        return Combinators.combine(name, Arbitraries.integers().between(0, 8), reference, digest, id, query)
                .as((n, kind, ref, d, upload, q) -> switch (kind) {
                    case 0 -> "/v2/" + n + "/manifests/" + ref + q;
                    case 1 -> "/v2/" + n + "/blobs/" + d + q;
                    case 2 -> "/v2/" + n + "/blobs/uploads/" + q;
                    case 3 -> "/v2/" + n + "/blobs/uploads/" + upload + q;
                    case 4 -> "/v2/" + n + "/tags/list" + q;
                    case 5 -> "/v2/" + n + "/referrers/" + d + q;
                    case 6 -> "/v2/_catalog" + q;
                    case 7 -> "/v2/" + q;
                    default -> "/" + n + "/" + ref;
                })
                .map(HttpFuzzProperties::requestTarget);
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

    private Arbitrary<Map<String, String>> headers() {
        Arbitrary<String> range = Arbitraries.oneOf(Arbitraries.of("bytes=0-0", "bytes=5-", "bytes=-3", "bytes=10-2", "bytes=0-1,4-5",
                "bytes=99999999999999999999-", "bytes=abc"), text(12));
        Arbitrary<String> contentRange = Arbitraries.oneOf(Arbitraries.of("0-10", "11-20", "bytes 11-30/*", "5-3", "11-",
                "0-9223372036854775807", "11-9223372036854775807", "-1-5"), text(12));
        Arbitrary<String> contentType = Arbitraries.oneOf(Arbitraries.of(MediaTypes.OCI_MANIFEST, MediaTypes.OCI_INDEX,
                "application/octet-stream", "application/json", ""), text(20));
        Arbitrary<String> accept = Arbitraries.oneOf(Arbitraries.of(MediaTypes.OCI_MANIFEST, "*/*", ""), text(20));
        return Combinators.combine(optional(range), optional(contentRange), optional(contentType), optional(accept),
                optional(text(30))).as((r, cr, ct, a, auth) -> {
                    Map<String, String> headers = new LinkedHashMap<>();
                    r.ifPresent(v -> headers.put("Range", v));
                    cr.ifPresent(v -> headers.put("Content-Range", v));
                    ct.ifPresent(v -> headers.put("Content-Type", v));
                    a.ifPresent(v -> headers.put("Accept", v));
                    auth.ifPresent(v -> headers.put("Authorization", v));
                    headers.replaceAll((k, v) -> headerValue(v));
                    return headers;
                });
    }

    /** A header value that stays one header: no line breaks or other control characters. */
    private static String headerValue(String value) {
        return value.codePoints().filter(c -> c >= 0x20 && c != 0x7f && c < 0x100)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString().trim();
    }

    private static <T> Arbitrary<java.util.Optional<T>> optional(Arbitrary<T> value) {
        return Arbitraries.oneOf(value.map(java.util.Optional::of), Arbitraries.just(java.util.Optional.empty()));
    }

    private Arbitrary<byte[]> bodies() {
        return Arbitraries.oneOf(Arbitraries.just(null), Arbitraries.bytes().array(byte[].class).ofMaxSize(200),
                Arbitraries.of("{}", "{\"schemaVersion\":2}", "[]", "null", "{\"schemaVersion\":2,\"mediaType\":\""
                        + MediaTypes.OCI_MANIFEST + "\",\"config\":{\"digest\":\"sha256:" + "1".repeat(64)
                        + "\",\"size\":1,\"mediaType\":\"" + MediaTypes.OCI_CONFIG + "\"},\"layers\":[]}")
                        .map(s -> s.getBytes(StandardCharsets.UTF_8)));
    }

    private static Arbitrary<String> text(int maxLength) {
        return Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(maxLength),
                Arbitraries.strings().withChars("abz09./%_-:@?&=#\\~+ ").ofMaxLength(maxLength));
    }

    /**
     * Every file under the storage root with its size and modification time; not the cluster state
     * snapshot ({@code fleetmirror/cluster/}), which the node rewrites on its own schedule.
     */
    private static List<String> tree() {
        return FileTree.snapshot(storage, p -> p.startsWith(Path.of("fleetmirror", "cluster")));
    }
}
