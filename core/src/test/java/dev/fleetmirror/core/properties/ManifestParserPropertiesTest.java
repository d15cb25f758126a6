package dev.fleetmirror.core.properties;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fleetmirror.core.manifest.ManifestParser;
import dev.fleetmirror.core.manifest.MediaTypes;
import dev.fleetmirror.core.manifest.ParsedManifest;
import dev.fleetmirror.core.error.ErrorCode;
import dev.fleetmirror.core.error.RegistryException;
import dev.fleetmirror.core.testing.Draw;
import dev.fleetmirror.core.testing.SeededCases;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The manifest parser on bodies a client may send: random bytes, broken JSON, and manifests whose
 * every field may have the wrong type or value. It accepts or answers MANIFEST_INVALID /
 * SIZE_INVALID; no other exception escapes, and what it accepts it describes consistently. The
 * bodies are drawn from fixed seeds ({@link SeededCases}).
 */
class ManifestParserPropertiesTest {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> MEDIA_TYPES = List.of(MediaTypes.OCI_MANIFEST, MediaTypes.OCI_INDEX,
            MediaTypes.OCI_CONFIG, "application/vnd.docker.distribution.manifest.v2+json",
            "application/vnd.docker.distribution.manifest.list.v2+json", "application/json", "", "text/plain",
            "application/vnd.oci.image.manifest.v1+json; charset=utf-8");

    static Stream<Arguments> randomBytes() {
        return SeededCases.tuples(0x62797465L, 300, draw -> List.of(draw.bytes(300), contentType(draw)));
    }

    @ParameterizedTest
    @MethodSource("randomBytes")
    void randomBytesAreRejectedAsInvalid(byte[] body, String contentType) {
        check(contentType, body);
    }

    static Stream<Arguments> brokenJson() {
        return SeededCases.tuples(0x6a736f6eL, 300, draw -> List.of(brokenJson(draw), contentType(draw)));
    }

    @ParameterizedTest
    @MethodSource("brokenJson")
    void brokenJsonIsRejectedAsInvalid(String body, String contentType) {
        check(contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    /** Bodies at the edges of JSON: empty, a bare scalar, numbers out of range, unterminated. */
    @ParameterizedTest
    @ValueSource(strings = {"", " ", "null", "2", "\"\"", "[]", "{", "{\"schemaVersion\":2", "{\"schemaVersion\":1e999}",
        "{\"schemaVersion\":9223372036854775808}", "{\"schemaVersion\":2,\"layers\":null}",
        "{\"schemaVersion\":2,\"config\":{\"size\":-1}}", "{\"schemaVersion\":2,\"manifests\":[{}]}"})
    void edgesOfJsonAreAcceptedOrRejectedAsInvalid(String body) {
        for (String contentType : MEDIA_TYPES) {
            check(contentType, body.getBytes(StandardCharsets.UTF_8));
        }
    }

    static Stream<Arguments> manifests() {
        return SeededCases.tuples(0x6d616e69L, 500, draw -> {
            JsonNode manifest = draw.oneIn(2) ? randomFields(draw) : nearlyValid(draw);
            // Half the time the Content-Type agrees with the body, so that the parser gets past that check.
            String contentType = draw.oneIn(2) ? manifest.path("mediaType").asText("") : contentType(draw);
            return List.of(manifest, contentType);
        });
    }

    @ParameterizedTest
    @MethodSource("manifests")
    void manifestsWithRandomFieldsAreAcceptedOrRejectedAsInvalid(JsonNode manifest, String contentType) throws Exception {
        check(contentType, JSON.writeValueAsBytes(manifest));
    }

    private static void check(String contentType, byte[] body) {
        ParsedManifest parsed;
        try {
            parsed = ManifestParser.parse(contentType, body);
        } catch (RegistryException e) {
            assertThat(e.code()).isIn(ErrorCode.MANIFEST_INVALID, ErrorCode.SIZE_INVALID);
            return;
        }
        assertThat(parsed.mediaType()).isNotBlank();
        assertThat(parsed.blobs()).allSatisfy(d -> assertThat(d.size()).isNotNegative());
        assertThat(parsed.manifests()).allSatisfy(d -> assertThat(d.size()).isNotNegative());
        assertThat(ManifestParser.detectMediaType(body)).isNotBlank();
    }

    private static String contentType(Draw draw) {
        return draw.oneOf(() -> draw.pick(MEDIA_TYPES), () -> Inputs.anyText(draw));
    }

    private static String brokenJson(Draw draw) {
        return draw.joined(0, 40, () -> draw.pick("{", "}", "[", "]", ",", ":", "\"", "\"schemaVersion\"", "2", "-1", "1e999",
                "null", "true", "\"mediaType\"", "\"layers\"", "\"config\"", "\"digest\"", "\"sha256:\"", "\\u0000", "\\", " ",
                "\"manifests\"", "\"size\"", "9223372036854775808", "0.5", "\"subject\"", "//", "/*", "NaN", "'"));
    }

    /** Every top-level field present or not, each of a random shape. */
    private static JsonNode randomFields(Draw draw) {
        ObjectNode root = NODES.objectNode();
        for (String name : FIELDS) {
            put(root, name, field(draw, () -> fieldValue(draw, name)));
        }
        return root;
    }

    /** A valid image manifest or index with up to two of its fields replaced, removed or added. */
    private static JsonNode nearlyValid(Draw draw) {
        ObjectNode root = NODES.objectNode();
        root.put("schemaVersion", 2);
        if (draw.oneIn(2)) {
            root.put("mediaType", MediaTypes.OCI_INDEX);
            root.set("manifests", validDescriptors(draw, MediaTypes.OCI_MANIFEST));
        } else {
            root.put("mediaType", MediaTypes.OCI_MANIFEST);
            root.set("config", validDescriptor(draw, MediaTypes.OCI_CONFIG));
            root.set("layers", validDescriptors(draw, "application/vnd.oci.image.layer.v1.tar"));
        }
        for (int changes = draw.length(0, 2); changes > 0; changes--) {
            String name = draw.pick(FIELDS);
            JsonNode value = field(draw, () -> fieldValue(draw, name));
            if (value == null) {
                root.remove(name);
            } else {
                root.set(name, value);
            }
        }
        return root;
    }

    private static final List<String> FIELDS = List.of("schemaVersion", "mediaType", "config", "layers", "manifests", "subject",
            "annotations", "artifactType");

    /** A random value for one top-level field: of its own shape, or any JSON scalar. */
    private static JsonNode fieldValue(Draw draw, String name) {
        return switch (name) {
            case "schemaVersion" -> draw.oneOf(() -> NODES.numberNode(draw.pick(2, 1, 3, 0, -2)), () -> scalar(draw));
            case "mediaType", "artifactType" -> mediaType(draw);
            case "config", "subject" -> draw.oneOf(() -> descriptor(draw), () -> scalar(draw));
            case "layers", "manifests" -> descriptors(draw);
            case "annotations" -> draw.oneOf(() -> annotations(draw), () -> scalar(draw));
            default -> throw new IllegalArgumentException(name);
        };
    }

    private static JsonNode validDescriptors(Draw draw, String mediaType) {
        ArrayNode array = NODES.arrayNode();
        draw.list(0, 3, () -> validDescriptor(draw, mediaType)).forEach(array::add);
        return array;
    }

    private static JsonNode validDescriptor(Draw draw, String mediaType) {
        return NODES.objectNode().put("mediaType", mediaType).put("digest", "sha256:" + draw.text(Inputs.HEX, 64, 64))
                .put("size", draw.between(0L, 1L << 40));
    }

    /** A field's value (two times in three), or absent (null here). */
    private static JsonNode field(Draw draw, Supplier<JsonNode> value) {
        return draw.oneIn(3) ? null : value.get();
    }

    private static void put(ObjectNode root, String name, JsonNode value) {
        if (value != null) {
            root.set(name, value);
        }
    }

    private static JsonNode mediaType(Draw draw) {
        return draw.oneOf(() -> NODES.textNode(draw.pick(MEDIA_TYPES)), () -> scalar(draw));
    }

    private static JsonNode descriptors(Draw draw) {
        return draw.oneOf(() -> {
            ArrayNode array = NODES.arrayNode();
            draw.list(0, 4, () -> descriptor(draw)).forEach(array::add);
            return array;
        }, () -> scalar(draw));
    }

    private static JsonNode descriptor(Draw draw) {
        ObjectNode node = NODES.objectNode();
        put(node, "mediaType", field(draw, () -> mediaType(draw)));
        put(node, "digest", field(draw, () -> draw.oneOf(() -> NODES.textNode("sha256:" + draw.text(Inputs.HEX, 64, 64)),
                () -> NODES.textNode(Inputs.anyText(draw)), () -> scalar(draw))));
        put(node, "size", field(draw, () -> draw.oneOf(() -> NODES.numberNode(draw.anyLong()),
                () -> NODES.numberNode(draw.pick(0L, -1L, Long.MAX_VALUE)), () -> scalar(draw))));
        put(node, "annotations", field(draw, () -> draw.oneOf(() -> annotations(draw), () -> scalar(draw))));
        put(node, "urls", field(draw, () -> draw.oneOf(() -> {
            ArrayNode array = NODES.arrayNode();
            draw.list(0, 2, () -> Inputs.anyText(draw)).forEach(array::add);
            return array;
        }, () -> scalar(draw))));
        return node;
    }

    private static JsonNode annotations(Draw draw) {
        ObjectNode node = NODES.objectNode();
        for (int i = draw.length(0, 3); i > 0; i--) {
            node.set(Inputs.anyText(draw), draw.oneOf(() -> NODES.textNode(Inputs.anyText(draw)), () -> scalar(draw)));
        }
        return node;
    }

    private static JsonNode scalar(Draw draw) {
        return draw.oneOf(
                NODES::nullNode,
                () -> NODES.booleanNode(draw.oneIn(2)),
                () -> NODES.numberNode(draw.anyLong()),
                () -> NODES.numberNode(draw.anyDouble()),
                () -> NODES.numberNode(BigInteger.valueOf(Long.MAX_VALUE).add(BigInteger.valueOf(draw.anyNonNegativeLong()))
                        .multiply(BigInteger.valueOf(draw.between(1, 10)))),
                () -> NODES.textNode(Inputs.anyText(draw)),
                NODES::arrayNode,
                NODES::objectNode);
    }
}
