package dev.fleetmirror.core.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.digest.InvalidDigestException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Typed, validating access to the fields of a manifest's JSON object, with messages naming the field. */
final class ManifestFields {
    private final JsonNode root;

    ManifestFields(JsonNode root) {
        this.root = root;
    }

    boolean has(String field) {
        return root.has(field);
    }

    Descriptor requiredDescriptor(String field) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            throw ManifestParser.invalid("'" + field + "' is missing");
        }
        return descriptor(node, field);
    }

    Optional<Descriptor> optionalDescriptor(String field) {
        JsonNode node = root.get(field);
        return node == null || node.isNull() ? Optional.empty() : Optional.of(descriptor(node, field));
    }

    List<JsonNode> requiredArray(String field) {
        JsonNode node = root.get(field);
        if (node == null || !node.isArray()) {
            throw ManifestParser.invalid("'" + field + "' must be an array" + (node == null ? ", is missing" : ""));
        }
        List<JsonNode> items = new ArrayList<>(node.size());
        node.forEach(items::add);
        return items;
    }

    Optional<String> optionalString(String field) {
        return string(root.get(field), field);
    }

    Map<String, String> annotations() {
        return ManifestParser.annotationsOf(root.get("annotations"), "annotations");
    }

    /** Parses a descriptor: mediaType, digest and size are required and validated. */
    static Descriptor descriptor(JsonNode node, String where) {
        if (!node.isObject()) {
            throw ManifestParser.invalid(where + " must be a descriptor object");
        }
        String mediaType = string(node.get("mediaType"), where + ".mediaType")
                .orElseThrow(() -> ManifestParser.invalid(where + ".mediaType is missing"));
        JsonNode digestNode = node.get("digest");
        if (digestNode == null || !digestNode.isTextual()) {
            throw ManifestParser.invalid(where + ".digest is missing or not a string");
        }
        Digest digest;
        try {
            digest = Digest.parse(digestNode.textValue());
        } catch (InvalidDigestException e) {
            throw ManifestParser.invalid(where + ".digest is invalid: " + e.getMessage());
        }
        JsonNode sizeNode = node.get("size");
        if (sizeNode == null || !sizeNode.isIntegralNumber() || !sizeNode.canConvertToLong()) {
            throw ManifestParser.invalid(where + ".size is missing or not an integer");
        }
        long size = sizeNode.longValue();
        if (size < 0) {
            throw ManifestParser.invalid(where + ".size must not be negative, is " + size);
        }
        Optional<String> artifactType = string(node.get("artifactType"), where + ".artifactType");
        return new Descriptor(mediaType, digest, size, artifactType.orElse(null),
                ManifestParser.annotationsOf(node.get("annotations"), where + ".annotations"));
    }

    /** True when a layer descriptor lists {@code urls} (a foreign layer the registry need not hold). */
    static boolean hasUrls(JsonNode descriptor, String where) {
        JsonNode urls = descriptor.get("urls");
        if (urls == null || urls.isNull()) {
            return false;
        }
        if (!urls.isArray()) {
            throw ManifestParser.invalid(where + ".urls must be an array of strings");
        }
        for (JsonNode url : urls) {
            if (!url.isTextual()) {
                throw ManifestParser.invalid(where + ".urls must be an array of strings");
            }
        }
        return !urls.isEmpty();
    }

    private static Optional<String> string(JsonNode node, String where) {
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isTextual()) {
            throw ManifestParser.invalid(where + " must be a string");
        }
        return Optional.of(node.textValue());
    }
}
