package dev.fleetmirror.node.conformance;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.zip.GZIPOutputStream;

/**
 * The content the distribution-spec conformance suite pushes, rebuilt with the same shapes: one
 * image config per workflow (made unique by a random author), one small gzip'd tar layer, one image
 * manifest per config (whose config descriptor carries an embedded {@code data} field and a field
 * the spec does not know), a manifest without layers, two small random blobs (one pushed whole, one
 * in two chunks), and the artifacts for the referrers API: two manifests that name their artifact
 * type in {@code config.mediaType}, two that name it in {@code artifactType} over the empty JSON
 * config, one whose subject was never pushed, and an index artifact, all but the last pointing at
 * manifest 4.
 *
 * <p>Indices follow the suite: 0 pull, 1 push, 2 content discovery (tags), 3 content management
 * (and the missing subject), 4 the referrers' subject.
 */
final class ConformanceData {
    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
    static final String OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
    static final String OCI_EMPTY = "application/vnd.oci.empty.v1+json";
    static final String EMPTY_JSON_DIGEST = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";

    static final String ARTIFACT_TYPE_A = "application/vnd.fleetmirror.conformance.sbom";
    static final String ARTIFACT_TYPE_B = "application/vnd.fleetmirror.conformance.signature";
    static final String ARTIFACT_TYPE_INDEX = "application/vnd.fleetmirror.conformance.bundle";
    static final String ANNOTATION_KEY = "dev.fleetmirror.conformance.case";

    /** A tag the OCI grammar rejects (leading dot): a registry must answer 404 for it on reads. */
    static final String NONEXISTENT_REFERENCE = ".NOT_A_VALID_TAG";
    static final byte[] INVALID_MANIFEST = "this is not a manifest".getBytes(StandardCharsets.UTF_8);
    /** The digest of a blob nobody pushes. */
    static final String DUMMY_DIGEST = TestBlob.of("never pushed by the conformance suite").digest();

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final int WORKFLOW_COPIES = 5;

    final List<TestBlob> configs;
    final TestBlob layer;
    final List<TestBlob> manifests;
    final TestBlob emptyLayerManifest;
    final TestBlob blobA;
    final TestBlob blobB;
    final int blobBSplit;
    final TestBlob emptyJson;
    final TestBlob refBlobA;
    final TestBlob refBlobB;
    final TestBlob refsManifestAConfigArtifact;
    final TestBlob refsManifestBConfigArtifact;
    final TestBlob refsManifestALayerArtifact;
    final TestBlob refsManifestBLayerArtifact;
    final TestBlob refsManifestCLayerArtifact;
    final TestBlob refsIndexArtifact;
    /** Digest of each referrer that carries the annotation, mapped to the annotation's value. */
    final Map<String, String> annotations = new HashMap<>();

    ConformanceData(long seed) {
        Random random = new Random(seed);
        configs = java.util.stream.IntStream.range(0, WORKFLOW_COPIES)
                .mapToObj(i -> config("conformance-" + UUID.randomUUID()))
                .toList();
        layer = TestBlob.of(tarGz("hello.txt", "a layer pushed by the Fleet Mirror conformance tests\n"));
        manifests = configs.stream().map(this::imageManifest).toList();
        emptyLayerManifest = emptyLayerManifest(configs.get(1));
        blobA = TestBlob.of(randomBytes(random, 42));
        blobB = TestBlob.of(randomBytes(random, 42));
        blobBSplit = 42 / 2 + 1;
        emptyJson = TestBlob.of("{}");
        refBlobA = TestBlob.of("artifact payload A: a pretend software bill of materials");
        refBlobB = TestBlob.of("artifact payload B: a pretend signature");

        TestBlob subject = manifests.get(4);
        refsManifestAConfigArtifact = configArtifact(ARTIFACT_TYPE_A, refBlobA, subject, "config artifact a");
        refsManifestBConfigArtifact = configArtifact(ARTIFACT_TYPE_B, refBlobB, subject, "config artifact b");
        refsManifestALayerArtifact = layerArtifact(ARTIFACT_TYPE_A, refBlobA, subject, "layer artifact a");
        refsManifestBLayerArtifact = layerArtifact(ARTIFACT_TYPE_B, refBlobB, subject, "layer artifact b");
        refsManifestCLayerArtifact = layerArtifact(ARTIFACT_TYPE_B, refBlobB, manifests.get(3), null);
        refsIndexArtifact = indexArtifact(subject);
    }

    byte[] blobBChunk1() {
        return Arrays.copyOfRange(blobB.content(), 0, blobBSplit);
    }

    byte[] blobBChunk2() {
        return Arrays.copyOfRange(blobB.content(), blobBSplit, blobB.size());
    }

    /** The {@code Content-Range} of the first chunk, which is also the {@code Range} a registry reports after it. */
    String blobBChunk1Range() {
        return "0-" + (blobBSplit - 1);
    }

    String blobBChunk2Range() {
        return blobBSplit + "-" + (blobB.size() - 1);
    }

    private static TestBlob config(String author) {
        ObjectNode config = MAPPER.createObjectNode();
        config.put("architecture", "amd64");
        config.put("os", "linux");
        config.put("author", author);
        ObjectNode rootfs = config.putObject("rootfs");
        rootfs.put("type", "layers");
        rootfs.putArray("diff_ids");
        return TestBlob.of(bytes(config));
    }

    private TestBlob imageManifest(TestBlob config) {
        ObjectNode manifest = MAPPER.createObjectNode();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", OCI_MANIFEST);
        ObjectNode configDescriptor = descriptor(OCI_CONFIG, config);
        // The spec allows a descriptor to embed its content, and registries must keep fields they
        // do not know: both end up in the digest, so a registry that rewrites the JSON is caught.
        configDescriptor.put("data", Base64.getEncoder().encodeToString(config.content()));
        configDescriptor.put("newUnspecifiedField", Base64.getEncoder().encodeToString("any value".getBytes(StandardCharsets.UTF_8)));
        manifest.set("config", configDescriptor);
        manifest.putArray("layers").add(descriptor(OCI_LAYER_GZIP, layer));
        return TestBlob.of(bytes(manifest));
    }

    private static TestBlob emptyLayerManifest(TestBlob config) {
        ObjectNode manifest = MAPPER.createObjectNode();
        manifest.put("schemaVersion", 2);
        manifest.set("config", descriptor(OCI_CONFIG, config));
        manifest.putArray("layers");
        return TestBlob.of(bytes(manifest));
    }

    private TestBlob configArtifact(String artifactType, TestBlob payload, TestBlob subject, String annotation) {
        ObjectNode manifest = MAPPER.createObjectNode();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", OCI_MANIFEST);
        manifest.set("config", descriptor(artifactType, payload));
        manifest.putArray("layers").add(descriptor(OCI_EMPTY, emptyJson));
        manifest.set("subject", descriptor(OCI_MANIFEST, subject));
        return annotated(manifest, annotation);
    }

    private TestBlob layerArtifact(String artifactType, TestBlob payload, TestBlob subject, String annotation) {
        ObjectNode manifest = MAPPER.createObjectNode();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", OCI_MANIFEST);
        manifest.put("artifactType", artifactType);
        manifest.set("config", descriptor(OCI_EMPTY, emptyJson));
        manifest.putArray("layers").add(descriptor(artifactType, payload));
        manifest.set("subject", descriptor(OCI_MANIFEST, subject));
        return annotated(manifest, annotation);
    }

    private TestBlob indexArtifact(TestBlob subject) {
        ObjectNode index = MAPPER.createObjectNode();
        index.put("schemaVersion", 2);
        index.put("mediaType", OCI_INDEX);
        index.put("artifactType", ARTIFACT_TYPE_INDEX);
        ArrayNode children = index.putArray("manifests");
        children.add(descriptor(OCI_MANIFEST, refsManifestAConfigArtifact));
        children.add(descriptor(OCI_MANIFEST, refsManifestALayerArtifact));
        index.set("subject", descriptor(OCI_MANIFEST, subject));
        return annotated(index, "index artifact");
    }

    private TestBlob annotated(ObjectNode manifest, String annotation) {
        if (annotation != null) {
            manifest.putObject("annotations").put(ANNOTATION_KEY, annotation);
        }
        TestBlob blob = TestBlob.of(bytes(manifest));
        if (annotation != null) {
            annotations.put(blob.digest(), annotation);
        }
        return blob;
    }

    private static ObjectNode descriptor(String mediaType, TestBlob blob) {
        ObjectNode descriptor = MAPPER.createObjectNode();
        descriptor.put("mediaType", mediaType);
        descriptor.put("digest", blob.digest());
        descriptor.put("size", blob.size());
        return descriptor;
    }

    private static byte[] bytes(ObjectNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] randomBytes(Random random, int size) {
        byte[] bytes = new byte[size];
        random.nextBytes(bytes);
        return bytes;
    }

    /** A gzip'd ustar archive holding one regular file: a real (if tiny) image layer. */
    static byte[] tarGz(String name, String text) {
        byte[] content = text.getBytes(StandardCharsets.UTF_8);
        byte[] header = new byte[512];
        putField(header, 0, 100, name);
        putField(header, 100, 8, "0000644");
        putField(header, 108, 8, "0000000");
        putField(header, 116, 8, "0000000");
        putField(header, 124, 12, String.format("%011o", content.length));
        putField(header, 136, 12, String.format("%011o", 0));
        Arrays.fill(header, 148, 156, (byte) ' ');
        header[156] = '0';
        putField(header, 257, 6, "ustar");
        putField(header, 263, 2, "00");
        int checksum = 0;
        for (byte b : header) {
            checksum += b & 0xff;
        }
        putField(header, 148, 6, String.format("%06o", checksum));
        header[154] = 0;
        header[155] = ' ';
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        tar.writeBytes(header);
        tar.writeBytes(content);
        tar.writeBytes(new byte[(512 - content.length % 512) % 512]);
        tar.writeBytes(new byte[1024]);
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(tar.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return gz.toByteArray();
    }

    private static void putField(byte[] header, int offset, int length, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(bytes, 0, header, offset, Math.min(bytes.length, length));
    }
}
