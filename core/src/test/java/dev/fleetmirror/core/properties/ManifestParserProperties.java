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
import dev.fleetmirror.core.registry.ErrorCode;
import dev.fleetmirror.core.registry.RegistryException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The manifest parser on bodies a client may send: random bytes, broken JSON, and manifests whose
 * every field may have the wrong type or value. It accepts or answers MANIFEST_INVALID /
 * SIZE_INVALID; no other exception escapes, and what it accepts it describes consistently.
 */
class ManifestParserProperties {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> MEDIA_TYPES = List.of(MediaTypes.OCI_MANIFEST, MediaTypes.OCI_INDEX,
            MediaTypes.OCI_CONFIG, "application/vnd.docker.distribution.manifest.v2+json",
            "application/vnd.docker.distribution.manifest.list.v2+json", "application/json", "", "text/plain",
            "application/vnd.oci.image.manifest.v1+json; charset=utf-8");

    @Property(tries = 300)
    void randomBytesAreRejectedAsInvalid(@ForAll byte[] body, @ForAll("contentTypes") String contentType) {
        check(contentType, body);
    }

    @Property(tries = 300)
    void brokenJsonIsRejectedAsInvalid(@ForAll("brokenJson") String body, @ForAll("contentTypes") String contentType) {
        check(contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    @Property(tries = 500)
    void manifestsWithRandomFieldsAreAcceptedOrRejectedAsInvalid(@ForAll("manifests") JsonNode manifest,
                                                                  @ForAll("contentTypes") String contentType) throws Exception {
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

    @Provide
    Arbitrary<String> contentTypes() {
        return Arbitraries.oneOf(Arbitraries.of(MEDIA_TYPES), Inputs.anyText());
    }

    @Provide
    Arbitrary<String> brokenJson() {
        Arbitrary<String> piece = Arbitraries.of("{", "}", "[", "]", ",", ":", "\"", "\"schemaVersion\"", "2", "-1", "1e999",
                "null", "true", "\"mediaType\"", "\"layers\"", "\"config\"", "\"digest\"", "\"sha256:\"", "\\u0000", "\\", " ",
                "\"manifests\"", "\"size\"", "9223372036854775808", "0.5", "\"subject\"", "//", "/*", "NaN", "'");
        return piece.list().ofMaxSize(40).map(parts -> String.join("", parts));
    }

    @Provide
    Arbitrary<JsonNode> manifests() {
        Arbitrary<JsonNode> descriptor = descriptor();
        Arbitrary<JsonNode> descriptors = Arbitraries.oneOf(descriptor.list().ofMaxSize(4).map(list -> {
            ArrayNode array = NODES.arrayNode();
            list.forEach(array::add);
            return (JsonNode) array;
        }), scalar());
        return Combinators.combine(
                field(Arbitraries.oneOf(Arbitraries.of(2, 1, 3, 0, -2).map(NODES::numberNode), scalar())),
                field(Arbitraries.oneOf(Arbitraries.of(MEDIA_TYPES).map(NODES::textNode), scalar())),
                field(Arbitraries.oneOf(descriptor, scalar())),
                field(descriptors),
                field(descriptors),
                field(Arbitraries.oneOf(descriptor, scalar())),
                field(Arbitraries.oneOf(annotations(), scalar())),
                field(Arbitraries.oneOf(Arbitraries.of(MEDIA_TYPES).map(NODES::textNode), scalar()))
        ).as((schemaVersion, mediaType, config, layers, manifests, subject, annotations, artifactType) -> {
            ObjectNode root = NODES.objectNode();
            put(root, "schemaVersion", schemaVersion);
            put(root, "mediaType", mediaType);
            put(root, "config", config);
            put(root, "layers", layers);
            put(root, "manifests", manifests);
            put(root, "subject", subject);
            put(root, "annotations", annotations);
            put(root, "artifactType", artifactType);
            return root;
        });
    }

    /** A field's value, or absent (null here). */
    private static Arbitrary<JsonNode> field(Arbitrary<JsonNode> value) {
        return Arbitraries.oneOf(value, value, Arbitraries.just(null));
    }

    private static void put(ObjectNode root, String name, JsonNode value) {
        if (value != null) {
            root.set(name, value);
        }
    }

    private static Arbitrary<JsonNode> descriptor() {
        Arbitrary<JsonNode> digest = Arbitraries.oneOf(
                Arbitraries.strings().withChars(Inputs.HEX).ofLength(64).map(h -> NODES.textNode("sha256:" + h)),
                Inputs.anyText().map(NODES::textNode), scalar());
        Arbitrary<JsonNode> size = Arbitraries.oneOf(Arbitraries.longs().map(NODES::numberNode),
                Arbitraries.of(0L, -1L, Long.MAX_VALUE).map(NODES::numberNode), scalar());
        return Combinators.combine(field(Arbitraries.oneOf(Arbitraries.of(MEDIA_TYPES).map(NODES::textNode), scalar())),
                field(digest), field(size), field(Arbitraries.oneOf(annotations(), scalar())),
                field(Arbitraries.oneOf(Inputs.anyText().list().ofMaxSize(2).map(urls -> {
                    ArrayNode array = NODES.arrayNode();
                    urls.forEach(array::add);
                    return (JsonNode) array;
                }), scalar()))).as((mediaType, d, s, annotations, urls) -> {
                    ObjectNode node = NODES.objectNode();
                    put(node, "mediaType", mediaType);
                    put(node, "digest", d);
                    put(node, "size", s);
                    put(node, "annotations", annotations);
                    put(node, "urls", urls);
                    return (JsonNode) node;
                });
    }

    private static Arbitrary<JsonNode> annotations() {
        return Arbitraries.maps(Inputs.anyText(), Arbitraries.oneOf(Inputs.anyText().map(NODES::textNode), scalar()))
                .ofMaxSize(3).map(map -> {
                    ObjectNode node = NODES.objectNode();
                    map.forEach(node::set);
                    return (JsonNode) node;
                });
    }

    private static Arbitrary<JsonNode> scalar() {
        return Arbitraries.oneOf(
                Arbitraries.just(NODES.nullNode()),
                Arbitraries.of(true, false).map(NODES::booleanNode),
                Arbitraries.longs().map(NODES::numberNode),
                Arbitraries.doubles().map(NODES::numberNode),
                Arbitraries.bigIntegers().between(java.math.BigInteger.valueOf(Long.MAX_VALUE),
                        java.math.BigInteger.valueOf(Long.MAX_VALUE).multiply(java.math.BigInteger.TEN)).map(NODES::numberNode),
                Inputs.anyText().map(NODES::textNode),
                Arbitraries.just(NODES.arrayNode()),
                Arbitraries.just(NODES.objectNode()));
    }
}
