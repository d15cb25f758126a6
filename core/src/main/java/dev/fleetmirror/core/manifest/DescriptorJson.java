package dev.fleetmirror.core.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/** A descriptor as OCI JSON, as stored in the referrers index and served in the referrers response. */
public final class DescriptorJson {

    private DescriptorJson() {
    }

    /** The JSON object of a descriptor; {@code artifactType} and {@code annotations} only when set. */
    public static ObjectNode toJson(Descriptor descriptor) {
        ObjectNode node = ManifestParser.STRICT.createObjectNode();
        if (descriptor.mediaType() != null) {
            node.put("mediaType", descriptor.mediaType());
        }
        node.put("digest", descriptor.digest().toString());
        node.put("size", descriptor.size());
        if (descriptor.artifactType() != null) {
            node.put("artifactType", descriptor.artifactType());
        }
        if (!descriptor.annotations().isEmpty()) {
            ObjectNode annotations = node.putObject("annotations");
            descriptor.annotations().entrySet().stream().sorted(Map.Entry.comparingByKey())
                    .forEach(e -> annotations.put(e.getKey(), e.getValue()));
        }
        return node;
    }

    public static byte[] write(Descriptor descriptor) {
        try {
            return ManifestParser.STRICT.writeValueAsBytes(toJson(descriptor));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads a descriptor written by {@link #write}.
     *
     * @throws dev.fleetmirror.core.error.RegistryException MANIFEST_INVALID when it is not one
     */
    public static Descriptor read(byte[] json) {
        JsonNode node;
        try {
            node = ManifestParser.STRICT.readTree(json);
        } catch (IOException e) {
            throw ManifestParser.invalid("descriptor is not valid JSON: " + e.getMessage());
        }
        if (node == null) {
            throw ManifestParser.invalid("descriptor is empty");
        }
        return ManifestFields.descriptor(node, "descriptor");
    }
}
