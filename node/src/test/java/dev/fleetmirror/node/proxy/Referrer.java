package dev.fleetmirror.node.proxy;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.manifest.MediaTypes;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * An OCI artifact referring to an image through its {@code subject} (a signature, an SBOM): an
 * empty config, one layer of content, an {@code artifactType}, pushed by digest as signing tools do.
 */
record Referrer(String artifactType, TestImage artifact) {
    private static final byte[] EMPTY_CONFIG = "{}".getBytes(StandardCharsets.UTF_8);

    static Referrer of(TestImage subject, String artifactType, String content) {
        byte[] layer = content.getBytes(StandardCharsets.UTF_8);
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\","
                + "\"artifactType\":\"" + artifactType + "\","
                + "\"config\":{\"mediaType\":\"" + MediaTypes.OCI_EMPTY + "\",\"digest\":\"" + Digest.sha256(EMPTY_CONFIG)
                + "\",\"size\":" + EMPTY_CONFIG.length + "},"
                + "\"layers\":[{\"mediaType\":\"application/octet-stream\",\"digest\":\"" + Digest.sha256(layer)
                + "\",\"size\":" + layer.length + "}],"
                + "\"subject\":{\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"digest\":\"" + subject.digest()
                + "\",\"size\":" + subject.manifest().length + "},"
                + "\"annotations\":{\"org.example.kind\":\"" + artifactType + "\"}}").getBytes(StandardCharsets.UTF_8);
        return new Referrer(artifactType, new TestImage(EMPTY_CONFIG, List.of(layer), manifest));
    }

    Digest digest() {
        return artifact.digest();
    }

    void push(URI registry, String repo) {
        artifact.push(registry, repo, digest().toString());
    }

    /** This referrer's entry in a referrers index, as the spec (and the referrers tag schema) write it. */
    String descriptorJson() {
        return "{\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"digest\":\"" + digest() + "\",\"size\":"
                + artifact.manifest().length + ",\"artifactType\":\"" + artifactType + "\","
                + "\"annotations\":{\"org.example.kind\":\"" + artifactType + "\"}}";
    }
}
