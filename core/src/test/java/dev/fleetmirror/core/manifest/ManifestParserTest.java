package dev.fleetmirror.core.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.error.ErrorCode;
import dev.fleetmirror.core.error.RegistryException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ManifestParserTest {
    static final String CONFIG = "sha256:" + "c".repeat(64);
    static final String LAYER = "sha256:" + "1".repeat(64);
    static final String FOREIGN = "sha256:" + "f".repeat(64);
    static final String SUBJECT = "sha256:" + "5".repeat(64);
    static final String CHILD = "sha256:" + "a".repeat(64);
    static final String LAYER_TYPE = "application/vnd.oci.image.layer.v1.tar+gzip";

    static String descriptor(String mediaType, String digest, long size) {
        return "{\"mediaType\":\"" + mediaType + "\",\"digest\":\"" + digest + "\",\"size\":" + size + "}";
    }

    static String ociManifest(String extra) {
        return "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\","
                + "\"config\":" + descriptor(MediaTypes.OCI_CONFIG, CONFIG, 10) + ","
                + "\"layers\":[" + descriptor(LAYER_TYPE, LAYER, 20) + "]" + extra + "}";
    }

    static ParsedManifest parse(String contentType, String body) {
        return ManifestParser.parse(contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    static AbstractThrowableAssert<?, ? extends Throwable> assertRejected(String contentType, String body, ErrorCode code) {
        return assertThatThrownBy(() -> parse(contentType, body))
                .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.code()).isEqualTo(code));
    }

    // ---- accepted ----

    @Test
    void parsesAnOciImageManifest() {
        ParsedManifest m = parse(MediaTypes.OCI_MANIFEST, ociManifest(",\"annotations\":{\"org.example\":\"x\"}"));

        assertThat(m.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
        assertThat(m.isIndex()).isFalse();
        assertThat(m.config()).contains(new Descriptor(MediaTypes.OCI_CONFIG, Digest.parse(CONFIG), 10));
        assertThat(m.layers()).containsExactly(new Descriptor(LAYER_TYPE, Digest.parse(LAYER), 20));
        assertThat(m.blobs()).extracting(Descriptor::digest).containsExactly(Digest.parse(CONFIG), Digest.parse(LAYER));
        assertThat(m.manifests()).isEmpty();
        assertThat(m.subject()).isEmpty();
        assertThat(m.artifactType()).contains(MediaTypes.OCI_CONFIG);
        assertThat(m.annotations()).isEqualTo(Map.of("org.example", "x"));
    }

    @Test
    void parsesADockerSchema2Manifest() {
        String body = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.DOCKER_MANIFEST + "\","
                + "\"config\":" + descriptor(MediaTypes.DOCKER_CONFIG, CONFIG, 10) + ","
                + "\"layers\":[" + descriptor("application/vnd.docker.image.rootfs.diff.tar.gzip", LAYER, 20) + "]}";

        ParsedManifest m = parse(MediaTypes.DOCKER_MANIFEST, body);

        assertThat(m.mediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST);
        assertThat(m.blobs()).hasSize(2);
    }

    @Test
    void foreignLayersWithUrlsAreNotRequiredBlobs() {
        String foreign = "{\"mediaType\":\"application/vnd.docker.image.rootfs.foreign.diff.tar.gzip\",\"digest\":\""
                + FOREIGN + "\",\"size\":5,\"urls\":[\"https://example.com/layer\"]}";
        String body = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.DOCKER_MANIFEST + "\","
                + "\"config\":" + descriptor(MediaTypes.DOCKER_CONFIG, CONFIG, 10) + ","
                + "\"layers\":[" + foreign + "," + descriptor(LAYER_TYPE, LAYER, 20) + "]}";

        ParsedManifest m = parse(MediaTypes.DOCKER_MANIFEST, body);

        assertThat(m.layers()).extracting(Descriptor::digest).containsExactly(Digest.parse(FOREIGN), Digest.parse(LAYER));
        assertThat(m.blobs()).extracting(Descriptor::digest).containsExactly(Digest.parse(CONFIG), Digest.parse(LAYER));
    }

    @Test
    void parsesAnOciIndexAndADockerManifestList() {
        String entries = "\"manifests\":[" + descriptor(MediaTypes.OCI_MANIFEST, CHILD, 500) + "]";

        ParsedManifest oci = parse(MediaTypes.OCI_INDEX,
                "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\"," + entries + "}");
        ParsedManifest docker = parse(MediaTypes.DOCKER_MANIFEST_LIST,
                "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.DOCKER_MANIFEST_LIST + "\"," + entries + "}");

        assertThat(oci.isIndex()).isTrue();
        assertThat(oci.manifests()).extracting(Descriptor::digest).containsExactly(Digest.parse(CHILD));
        assertThat(oci.blobs()).isEmpty();
        assertThat(oci.config()).isEmpty();
        assertThat(oci.artifactType()).isEmpty();
        assertThat(docker.mediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST_LIST);
        assertThat(docker.manifests()).hasSize(1);
    }

    @Test
    void parsesAnOciArtifactWithSubjectAndArtifactType() {
        String body = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\","
                + "\"artifactType\":\"application/vnd.example.sbom\","
                + "\"config\":" + descriptor(MediaTypes.OCI_EMPTY, CONFIG, 2) + ","
                + "\"layers\":[],"
                + "\"subject\":" + descriptor(MediaTypes.OCI_MANIFEST, SUBJECT, 100) + "}";

        ParsedManifest m = parse(MediaTypes.OCI_MANIFEST, body);

        assertThat(m.artifactType()).contains("application/vnd.example.sbom");
        assertThat(m.subject()).map(Descriptor::digest).contains(Digest.parse(SUBJECT));
        assertThat(m.layers()).isEmpty();
    }

    @Test
    void anIndexMayCarryArtifactTypeAndSubject() {
        String body = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\","
                + "\"artifactType\":\"application/vnd.example.bundle\",\"manifests\":[],"
                + "\"subject\":" + descriptor(MediaTypes.OCI_MANIFEST, SUBJECT, 100) + "}";

        ParsedManifest m = parse(null, body);

        assertThat(m.artifactType()).contains("application/vnd.example.bundle");
        assertThat(m.subject()).isPresent();
    }

    @Test
    void ociManifestWithoutMediaTypeFieldTakesTheContentType() {
        String body = ociManifest("").replace("\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",", "");

        assertThat(parse(MediaTypes.OCI_MANIFEST, body).mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
    }

    @Test
    void contentTypeParametersAreIgnored() {
        assertThat(parse(MediaTypes.OCI_MANIFEST + "; charset=utf-8", ociManifest("")).mediaType())
                .isEqualTo(MediaTypes.OCI_MANIFEST);
    }

    @Test
    void missingContentTypeDefersToTheMediaTypeField() {
        assertThat(parse(null, ociManifest("")).mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
        assertThat(parse("  ", ociManifest("")).mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
    }

    @Test
    void exactly4MiBIsAccepted() {
        String body = ociManifest("");
        String padded = body + " ".repeat(ManifestParser.MAX_MANIFEST_BYTES - body.length());

        assertThat(parse(MediaTypes.OCI_MANIFEST, padded).mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
    }

    // ---- rejected ----

    @Test
    void oneByteOver4MiBIsSizeInvalid() {
        String body = ociManifest("");
        String padded = body + " ".repeat(ManifestParser.MAX_MANIFEST_BYTES - body.length() + 1);

        assertRejected(MediaTypes.OCI_MANIFEST, padded, ErrorCode.SIZE_INVALID).hasMessageContaining("4194304");
    }

    @Test
    void mediaTypeDisagreeingWithContentTypeIsRejected() {
        assertRejected(MediaTypes.DOCKER_MANIFEST, ociManifest(""), ErrorCode.MANIFEST_INVALID)
                .hasMessageContaining("does not match the Content-Type");
        assertRejected("application/json", ociManifest(""), ErrorCode.MANIFEST_INVALID);
    }

    @Test
    void unknownMediaTypesAreRejected() {
        assertRejected("application/vnd.docker.distribution.manifest.v1+prettyjws",
                "{\"schemaVersion\":1,\"name\":\"x\",\"tag\":\"y\",\"fsLayers\":[]}", ErrorCode.MANIFEST_INVALID)
                .hasMessageContaining("not supported");
        assertRejected(null, ociManifest("").replace(MediaTypes.OCI_MANIFEST, "application/x-custom"),
                ErrorCode.MANIFEST_INVALID);
    }

    @Test
    void aManifestWithoutAnyMediaTypeIsRejected() {
        String body = ociManifest("").replace("\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",", "");

        assertRejected(null, body, ErrorCode.MANIFEST_INVALID).hasMessageContaining("Content-Type");
    }

    @Test
    void dockerManifestWithoutItsMediaTypeFieldIsRejected() {
        String body = ociManifest("").replace("\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",", "");

        assertRejected(MediaTypes.DOCKER_MANIFEST, body, ErrorCode.MANIFEST_INVALID);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "3", "\"2\"", "2.5", "null"})
    void schemaVersionOtherThan2IsRejected(String version) {
        assertRejected(MediaTypes.OCI_MANIFEST, ociManifest("").replace("\"schemaVersion\":2", "\"schemaVersion\":" + version),
                ErrorCode.MANIFEST_INVALID).hasMessageContaining("schemaVersion");
    }

    @Test
    void missingSchemaVersionIsRejected() {
        assertRejected(MediaTypes.OCI_MANIFEST, ociManifest("").replace("\"schemaVersion\":2,", ""),
                ErrorCode.MANIFEST_INVALID);
    }

    @Test
    void duplicateKeysAreRejectedAtAnyDepth() {
        assertRejected(MediaTypes.OCI_MANIFEST, ociManifest(",\"schemaVersion\":2"), ErrorCode.MANIFEST_INVALID)
                .hasMessageContaining("Duplicate");
        assertRejected(MediaTypes.OCI_MANIFEST, ociManifest("").replace("\"size\":10", "\"size\":10,\"size\":11"),
                ErrorCode.MANIFEST_INVALID);
    }

    @ParameterizedTest
    @ValueSource(strings = {" x", "{}", "]", "\u0000"})
    void trailingGarbageIsRejected(String garbage) {
        assertRejected(MediaTypes.OCI_MANIFEST, ociManifest("") + garbage, ErrorCode.MANIFEST_INVALID);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "[]", "\"manifest\"", "{", "not json", "null"})
    void bodiesThatAreNotAJsonObjectAreRejected(String body) {
        assertRejected(MediaTypes.OCI_MANIFEST, body, ErrorCode.MANIFEST_INVALID);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "sha256:" + "c",
            "sha256:" + "C" + "c",
            "sha256:ccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc",
            "sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc0",
            "sha256:CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC",
            "md5:d41d8cd98f00b204e9800998ecf8427e",
            "sha512:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc",
            ""})
    void descriptorsWithInvalidDigestsAreRejected(String digest) {
        assertRejected(MediaTypes.OCI_MANIFEST, ociManifest("").replace(CONFIG, digest), ErrorCode.MANIFEST_INVALID)
                .hasMessageContaining("config.digest");
    }

    @Test
    void descriptorWithoutDigestIsRejected() {
        assertRejected(MediaTypes.OCI_MANIFEST, ociManifest("").replace("\"digest\":\"" + LAYER + "\",", ""),
                ErrorCode.MANIFEST_INVALID).hasMessageContaining("layers[0].digest");
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "1.5", "\"10\"", "null", "99999999999999999999"})
    void descriptorsWithInvalidSizesAreRejected(String size) {
        assertRejected(MediaTypes.OCI_MANIFEST, ociManifest("").replace("\"size\":20", "\"size\":" + size),
                ErrorCode.MANIFEST_INVALID).hasMessageContaining("layers[0].size");
    }

    @Test
    void descriptorWithoutMediaTypeIsRejected() {
        assertRejected(MediaTypes.OCI_MANIFEST,
                ociManifest("").replace("\"mediaType\":\"" + LAYER_TYPE + "\",", ""), ErrorCode.MANIFEST_INVALID)
                .hasMessageContaining("layers[0].mediaType");
    }

    @Test
    void imageManifestWithoutConfigOrLayersIsRejected() {
        String noConfig = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"layers\":[]}";
        String noLayers = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":"
                + descriptor(MediaTypes.OCI_CONFIG, CONFIG, 1) + "}";

        assertRejected(null, noConfig, ErrorCode.MANIFEST_INVALID).hasMessageContaining("config");
        assertRejected(null, noLayers, ErrorCode.MANIFEST_INVALID).hasMessageContaining("layers");
    }

    @Test
    void mixingManifestAndIndexFieldsIsRejected() {
        assertRejected(null, ociManifest(",\"manifests\":[]"), ErrorCode.MANIFEST_INVALID);
        assertRejected(null, "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\",\"manifests\":[],"
                + "\"config\":" + descriptor(MediaTypes.OCI_CONFIG, CONFIG, 1) + "}", ErrorCode.MANIFEST_INVALID);
    }

    @Test
    void indexWithoutManifestsArrayIsRejected() {
        assertRejected(MediaTypes.OCI_INDEX, "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\"}",
                ErrorCode.MANIFEST_INVALID).hasMessageContaining("manifests");
    }

    @Test
    void indexEntryWithInvalidDigestIsRejected() {
        assertRejected(null, "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\",\"manifests\":["
                + descriptor(MediaTypes.OCI_MANIFEST, "sha256:abc", 1) + "]}", ErrorCode.MANIFEST_INVALID)
                .hasMessageContaining("manifests[0].digest");
    }

    @Test
    void nonStringAnnotationsAreRejected() {
        assertRejected(null, ociManifest(",\"annotations\":{\"a\":1}"), ErrorCode.MANIFEST_INVALID)
                .hasMessageContaining("annotations.a");
        assertRejected(null, ociManifest(",\"annotations\":[]"), ErrorCode.MANIFEST_INVALID);
    }

    @Test
    void malformedUrlsOrSubjectAreRejected() {
        assertRejected(null, ociManifest("").replace("\"size\":20", "\"size\":20,\"urls\":\"https://x\""),
                ErrorCode.MANIFEST_INVALID).hasMessageContaining("urls");
        assertRejected(null, ociManifest(",\"subject\":{\"digest\":\"sha256:1\"}"), ErrorCode.MANIFEST_INVALID)
                .hasMessageContaining("subject");
        assertRejected(null, ociManifest(",\"artifactType\":7"), ErrorCode.MANIFEST_INVALID)
                .hasMessageContaining("artifactType");
    }

    @Test
    void deeplyNestedJsonIsRejectedWithoutExhaustingTheStack() {
        String deep = "[".repeat(100_000) + "]".repeat(100_000);

        assertRejected(MediaTypes.OCI_MANIFEST, ociManifest(",\"annotations\":" + deep), ErrorCode.MANIFEST_INVALID);
    }

    // ---- stored manifests ----

    @Test
    void detectsTheMediaTypeOfStoredManifests() {
        String withoutType = ociManifest("").replace("\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",", "");
        String indexWithoutType = "{\"schemaVersion\":2,\"manifests\":[]}";

        assertThat(ManifestParser.detectMediaType(bytes(ociManifest("")))).isEqualTo(MediaTypes.OCI_MANIFEST);
        assertThat(ManifestParser.detectMediaType(bytes(withoutType))).isEqualTo(MediaTypes.OCI_MANIFEST);
        assertThat(ManifestParser.detectMediaType(bytes(indexWithoutType))).isEqualTo(MediaTypes.OCI_INDEX);
        assertThat(ManifestParser.detectMediaType(bytes("{\"schemaVersion\":1,\"signatures\":[]}")))
                .isEqualTo(MediaTypes.DOCKER_MANIFEST_V1_SIGNED);
        assertThat(ManifestParser.detectMediaType(bytes("{\"schemaVersion\":2,\"mediaType\":\""
                + MediaTypes.DOCKER_MANIFEST_LIST + "\",\"manifests\":[]}"))).isEqualTo(MediaTypes.DOCKER_MANIFEST_LIST);
    }

    @Test
    void descriptorJsonRoundTripsEveryField() {
        Descriptor d = new Descriptor(MediaTypes.OCI_MANIFEST, Digest.parse(CHILD), 42, "application/vnd.example",
                Map.of("a", "1", "b", "2"));

        assertThat(DescriptorJson.read(DescriptorJson.write(d))).isEqualTo(d);
        assertThat(new String(DescriptorJson.write(new Descriptor(MediaTypes.OCI_MANIFEST, Digest.parse(CHILD), 42)),
                StandardCharsets.UTF_8)).doesNotContain("artifactType").doesNotContain("annotations");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
