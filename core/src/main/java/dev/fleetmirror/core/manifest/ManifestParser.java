package dev.fleetmirror.core.manifest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.fleetmirror.core.error.ErrorCode;
import dev.fleetmirror.core.error.RegistryException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Strict parsing of pushed manifests. Everything downstream (existence checks, referrers, GC's mark
 * phase) trusts the {@link ParsedManifest} it returns, so this is where a malformed body stops:
 * duplicate keys (two parsers could read different values), trailing bytes, unknown media types,
 * descriptors without a valid digest or size.
 */
public final class ManifestParser {

    /** Largest manifest accepted, as Distribution and the OCI spec's recommended minimum. */
    public static final int MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

    static final ObjectMapper STRICT = JsonMapper.builder(JsonFactory.builder()
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    private static final ObjectMapper LENIENT = new ObjectMapper();

    private ManifestParser() {
    }

    /**
     * Parses and validates a manifest body.
     *
     * @param contentType the request's Content-Type, parameters allowed; may be null or blank when the
     *                    body names its media type
     * @throws RegistryException SIZE_INVALID beyond {@link #MAX_MANIFEST_BYTES}, MANIFEST_INVALID otherwise
     */
    public static ParsedManifest parse(String contentType, byte[] body) {
        if (body.length > MAX_MANIFEST_BYTES) {
            throw new RegistryException(ErrorCode.SIZE_INVALID, "manifest is " + body.length
                    + " bytes; the limit is " + MAX_MANIFEST_BYTES + " bytes");
        }
        JsonNode root = readTree(body);
        if (!root.isObject()) {
            throw invalid("manifest must be a JSON object");
        }
        String mediaType = mediaTypeOf(root, contentType);
        JsonNode schemaVersion = root.get("schemaVersion");
        if (schemaVersion == null || !schemaVersion.isIntegralNumber() || schemaVersion.asLong() != 2) {
            throw invalid("schemaVersion must be 2, is " + (schemaVersion == null ? "missing" : schemaVersion));
        }
        ManifestFields fields = new ManifestFields(root);
        return MediaTypes.INDEXES.contains(mediaType) ? index(mediaType, fields) : image(mediaType, fields);
    }

    private static ParsedManifest image(String mediaType, ManifestFields fields) {
        if (fields.has("manifests")) {
            throw invalid("an image manifest (" + mediaType + ") must not have a 'manifests' field");
        }
        Descriptor config = fields.requiredDescriptor("config");
        List<Descriptor> layers = new ArrayList<>();
        List<Descriptor> blobs = new ArrayList<>();
        blobs.add(config);
        List<JsonNode> layerNodes = fields.requiredArray("layers");
        for (int i = 0; i < layerNodes.size(); i++) {
            JsonNode node = layerNodes.get(i);
            Descriptor layer = ManifestFields.descriptor(node, "layers[" + i + "]");
            layers.add(layer);
            if (!ManifestFields.hasUrls(node, "layers[" + i + "]")) {
                blobs.add(layer);
            }
        }
        Optional<String> artifactType = fields.optionalString("artifactType")
                .or(() -> Optional.of(config.mediaType()));
        return new ParsedManifest(mediaType, Optional.of(config), layers, blobs, List.of(),
                fields.optionalDescriptor("subject"), artifactType, fields.annotations());
    }

    private static ParsedManifest index(String mediaType, ManifestFields fields) {
        if (fields.has("config") || fields.has("layers")) {
            throw invalid("an index (" + mediaType + ") must not have 'config' or 'layers' fields");
        }
        List<JsonNode> nodes = fields.requiredArray("manifests");
        List<Descriptor> manifests = new ArrayList<>(nodes.size());
        for (int i = 0; i < nodes.size(); i++) {
            manifests.add(ManifestFields.descriptor(nodes.get(i), "manifests[" + i + "]"));
        }
        return new ParsedManifest(mediaType, Optional.empty(), List.of(), List.of(), manifests,
                fields.optionalDescriptor("subject"), fields.optionalString("artifactType"), fields.annotations());
    }

    /** The body's media type, checked against the request's Content-Type. */
    private static String mediaTypeOf(JsonNode root, String contentType) {
        String requested = essence(contentType);
        JsonNode field = root.get("mediaType");
        if (field != null && !field.isTextual()) {
            throw invalid("mediaType must be a string");
        }
        String declared = field == null ? null : field.textValue();
        if (declared != null && requested != null && !declared.equals(requested)) {
            throw invalid("mediaType '" + declared + "' in the manifest does not match the Content-Type '"
                    + requested + "' of the request; send the manifest with Content-Type: " + declared);
        }
        String mediaType = declared != null ? declared : requested;
        if (mediaType == null) {
            throw invalid("manifest media type unknown: set the Content-Type header or the mediaType field");
        }
        if (!MediaTypes.isManifest(mediaType)) {
            throw invalid("manifest media type '" + mediaType + "' is not supported; use one of "
                    + String.join(", ", MediaTypes.MANIFESTS.stream().sorted().toList()));
        }
        if (declared == null && !mediaType.startsWith("application/vnd.oci.")) {
            throw invalid("a Docker manifest (" + mediaType + ") must carry its mediaType field");
        }
        return mediaType;
    }

    /** {@code type/subtype} without parameters or surrounding blanks; null when blank. */
    static String essence(String contentType) {
        if (contentType == null) {
            return null;
        }
        int semicolon = contentType.indexOf(';');
        String essence = (semicolon >= 0 ? contentType.substring(0, semicolon) : contentType).trim();
        return essence.isEmpty() ? null : essence;
    }

    /**
     * The media type of a stored manifest: its mediaType field, else guessed from its structure the
     * way clients do. Stored manifests were validated when pushed, so this is lenient.
     */
    public static String detectMediaType(byte[] stored) {
        JsonNode root;
        try {
            root = LENIENT.readTree(stored);
        } catch (IOException e) {
            return MediaTypes.OCI_MANIFEST;
        }
        if (root == null || !root.isObject()) {
            return MediaTypes.OCI_MANIFEST;
        }
        JsonNode mediaType = root.get("mediaType");
        if (mediaType != null && mediaType.isTextual() && !mediaType.textValue().isBlank()) {
            return mediaType.textValue();
        }
        if (root.path("schemaVersion").asInt() == 1) {
            return root.has("signatures") ? MediaTypes.DOCKER_MANIFEST_V1_SIGNED : MediaTypes.DOCKER_MANIFEST_V1;
        }
        return root.has("manifests") ? MediaTypes.OCI_INDEX : MediaTypes.OCI_MANIFEST;
    }

    private static JsonNode readTree(byte[] body) {
        try {
            JsonNode root = STRICT.readTree(body);
            if (root == null || root.isMissingNode()) {
                throw invalid("manifest body is empty");
            }
            return root;
        } catch (JsonProcessingException e) {
            throw invalid("manifest is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw invalid("manifest is not valid JSON: " + e.getMessage());
        }
    }

    static RegistryException invalid(String message) {
        return new RegistryException(ErrorCode.MANIFEST_INVALID, message);
    }

    /** Annotation maps as parsed: string keys to string values. */
    static Map<String, String> annotationsOf(JsonNode node, String where) {
        if (node == null || node.isNull()) {
            return Map.of();
        }
        if (!node.isObject()) {
            throw invalid(where + " must be an object of strings");
        }
        Map<String, String> annotations = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!e.getValue().isTextual()) {
                throw invalid(where + "." + e.getKey() + " must be a string");
            }
            annotations.put(e.getKey(), e.getValue().textValue());
        }
        return annotations;
    }
}
