package dev.fleetmirror.node.distribution;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.manifest.MediaTypes;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/** Manifests and blobs built by hand, small enough to read in a test. */
final class TestImages {
    static final byte[] EMPTY_CONFIG = "{}".getBytes(StandardCharsets.UTF_8);

    private TestImages() {
    }

    static byte[] randomBytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    static byte[] config(String label) {
        return ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Labels\":{\"l\":\"" + label + "\"}},"
                + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}").getBytes(StandardCharsets.UTF_8);
    }

    static byte[] imageManifest(Digest config, long configSize, Digest layer, long layerSize) {
        return ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\","
                + "\"config\":{\"mediaType\":\"" + MediaTypes.OCI_CONFIG + "\",\"digest\":\"" + config + "\",\"size\":" + configSize + "},"
                + "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"" + layer
                + "\",\"size\":" + layerSize + "}]}").getBytes(StandardCharsets.UTF_8);
    }

    /** An artifact manifest (empty config) whose subject is {@code subject}. */
    static byte[] referrer(String artifactType, Digest subject, long subjectSize, String annotation) {
        Digest empty = Digest.sha256(EMPTY_CONFIG);
        return ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\","
                + "\"artifactType\":\"" + artifactType + "\","
                + "\"config\":{\"mediaType\":\"" + MediaTypes.OCI_EMPTY + "\",\"digest\":\"" + empty + "\",\"size\":2},"
                + "\"layers\":[{\"mediaType\":\"" + MediaTypes.OCI_EMPTY + "\",\"digest\":\"" + empty + "\",\"size\":2}],"
                + "\"subject\":{\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"digest\":\"" + subject + "\",\"size\":" + subjectSize + "},"
                + "\"annotations\":{\"note\":\"" + annotation + "\"}}").getBytes(StandardCharsets.UTF_8);
    }
}
