package dev.fleetmirror.node.proxy;

import static dev.fleetmirror.node.proxy.MirrorFixture.catchAll;
import static dev.fleetmirror.node.proxy.MirrorFixture.pull;
import static dev.fleetmirror.node.proxy.MirrorFixture.requests;
import static dev.fleetmirror.node.proxy.MirrorFixture.uri;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.manifest.MediaTypes;
import dev.fleetmirror.node.testing.DistributionProcess;
import dev.fleetmirror.node.testing.RegistryHttpClient;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * OCI artifacts and cosign's signature tags mirror exactly like images: a Helm chart, a WASM module
 * with an {@code artifactType} and the empty config, an SBOM and an attestation tagged
 * {@code sha256-<hex>.sbom} / {@code .att} after the image they describe, all pushed to a real
 * upstream (Debian's docker-registry), pulled through the mirror byte for byte with every digest
 * checked, and fetched from the upstream once.
 */
class OciArtifactsThroughMirrorTest {
    private static final String HELM_CONFIG = "application/vnd.cncf.helm.config.v1+json";
    private static final String HELM_CHART = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";
    private static final String WASM_ARTIFACT = "application/vnd.wasm.content.layer.v1+wasm";
    private static final String SPDX = "application/spdx+json";
    private static final String IN_TOTO = "application/vnd.dsse.envelope.v1+json";
    private static final byte[] EMPTY = "{}".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path work;

    @RegisterExtension
    final MirrorRig rig = new MirrorRig("artifacts-upstream");

    @Test
    void helmWasmSbomAndAttestationArtifactsPullThroughTheMirrorWithDigestsVerified() throws Exception {
        DistributionProcess upstream = rig.startUpstream(work, "upstream", "");
        URI origin = upstream.baseUri();
        TestImage image = TestImage.random(101, 20_000);
        image.push(origin, "team/app", "v1");
        TestImage chart = artifact(Optional.empty(), HELM_CONFIG,
                "{\"name\":\"app\",\"version\":\"1.0.0\",\"apiVersion\":\"v2\"}".getBytes(StandardCharsets.UTF_8),
                HELM_CHART, random(102, 12_000), Optional.empty());
        chart.push(origin, "charts/app", "1.0.0");
        TestImage wasm = artifact(Optional.of(WASM_ARTIFACT), MediaTypes.OCI_EMPTY, EMPTY, WASM_ARTIFACT,
                wasmModule(), Optional.empty());
        wasm.push(origin, "modules/filter", "v2");
        String sbomTag = "sha256-" + image.digest().hex() + ".sbom";
        TestImage sbom = artifact(Optional.of(SPDX), MediaTypes.OCI_EMPTY, EMPTY, SPDX,
                "{\"spdxVersion\":\"SPDX-2.3\",\"name\":\"team/app\",\"packages\":[]}".getBytes(StandardCharsets.UTF_8),
                Optional.of(image));
        sbom.push(origin, "team/app", sbomTag);
        String attTag = "sha256-" + image.digest().hex() + ".att";
        TestImage attestation = artifact(Optional.empty(), MediaTypes.OCI_CONFIG,
                "{\"architecture\":\"\",\"os\":\"\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}".getBytes(StandardCharsets.UTF_8),
                IN_TOTO, "{\"payloadType\":\"application/vnd.in-toto+json\",\"payload\":\"e30=\",\"signatures\":[]}"
                        .getBytes(StandardCharsets.UTF_8), Optional.empty());
        attestation.push(origin, "team/app", attTag);
        URI mirror = uri(rig.startNode(work.resolve("mirror-storage"), work.resolve("mirror-spool"), Duration.ofMinutes(5),
                catchAll(origin)));

        record Case(String repo, String tag, TestImage artifact) {
        }
        List<Case> cases = List.of(new Case("charts/app", "1.0.0", chart), new Case("modules/filter", "v2", wasm),
                new Case("team/app", sbomTag, sbom), new Case("team/app", attTag, attestation));
        java.util.Set<Digest> fetched = new java.util.HashSet<>();
        for (Case c : cases) {
            RegistryHttpClient.Response head = new RegistryHttpClient(mirror).call("HEAD", "/v2/" + c.repo() + "/manifests/" + c.tag())
                    .header("Accept", MediaTypes.OCI_MANIFEST).send();
            assertThat(head.status()).as("%s:%s %s", c.repo(), c.tag(), head).isEqualTo(200);
            assertThat(head.headerOrEmpty("Docker-Content-Digest")).isEqualTo(c.artifact().digest().toString());
            assertThat(head.headerOrEmpty("Content-Type")).isEqualTo(MediaTypes.OCI_MANIFEST);

            Map<Digest, byte[]> pulled = pull(mirror, c.repo(), c.tag());
            assertThat(pulled.get(c.artifact().digest())).as("%s:%s byte for byte", c.repo(), c.tag())
                    .isEqualTo(c.artifact().manifest());
            for (Digest blob : c.artifact().blobDigests()) {
                assertThat(pulled.get(blob)).as("%s of %s:%s", blob, c.repo(), c.tag()).isEqualTo(c.artifact().blob(blob));
            }
            // Again, from the cache: the upstream sent each blob once (the empty config, shared, only for its first repository).
            pull(mirror, c.repo(), c.tag());
            for (Digest blob : c.artifact().blobDigests()) {
                assertThat(MirrorFixture.blobGets(upstream, c.repo(), blob)).as("%s fetched once", blob)
                        .isEqualTo(fetched.add(blob) ? 1 : 0);
            }
            assertThat(requests(upstream, "GET", "/v2/" + c.repo() + "/manifests/" + c.tag())).isEqualTo(1);
        }
        RegistryHttpClient.Response wasmManifest = new RegistryHttpClient(mirror).call("GET", "/v2/modules/filter/manifests/v2")
                .header("Accept", MediaTypes.OCI_MANIFEST).send();
        assertThat(wasmManifest.json().path("artifactType").asText()).isEqualTo(WASM_ARTIFACT);
        assertThat(wasmManifest.json().path("config").path("mediaType").asText()).isEqualTo(MediaTypes.OCI_EMPTY);
        RegistryHttpClient.Response sbomManifest = new RegistryHttpClient(mirror).call("GET", "/v2/team/app/manifests/" + sbom.digest())
                .header("Accept", MediaTypes.OCI_MANIFEST).send();
        assertThat(sbomManifest.json().path("subject").path("digest").asText()).isEqualTo(image.digest().toString());
        RegistryHttpClient.Response tags = new RegistryHttpClient(mirror).call("GET", "/v2/team/app/tags/list").send();
        assertThat(tags.status()).as(tags.toString()).isEqualTo(200);
        assertThat(tags.text()).contains(sbomTag).contains(attTag);
    }

    /**
     * An artifact manifest: {@code artifactType} when given, one config and one layer, a {@code subject} when
     * it describes an image.
     */
    private static TestImage artifact(Optional<String> artifactType, String configType, byte[] config, String layerType,
                                      byte[] layer, Optional<TestImage> subject) {
        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\","
                + artifactType.map(t -> "\"artifactType\":\"" + t + "\",").orElse("")
                + "\"config\":{\"mediaType\":\"" + configType + "\",\"digest\":\"" + Digest.sha256(config) + "\",\"size\":"
                + config.length + "},"
                + "\"layers\":[{\"mediaType\":\"" + layerType + "\",\"digest\":\"" + Digest.sha256(layer) + "\",\"size\":"
                + layer.length + "}]"
                + subject.map(s -> ",\"subject\":{\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"digest\":\"" + s.digest()
                        + "\",\"size\":" + s.manifest().length + "}").orElse("")
                + "}";
        return new TestImage(config, List.of(layer), manifest.getBytes(StandardCharsets.UTF_8));
    }

    /** The smallest valid WASM module (magic and version) and a custom section of random bytes. */
    private static byte[] wasmModule() {
        byte[] body = random(103, 4_000);
        byte[] module = new byte[8 + 2 + 3 + body.length];
        System.arraycopy(new byte[] {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00}, 0, module, 0, 8);
        module[8] = 0x00;
        // section size as LEB128 (name length byte + name + body), two bytes suffice for 4 kB
        int size = 1 + 1 + body.length;
        module[9] = (byte) (0x80 | (size & 0x7f));
        module[10] = (byte) (size >> 7);
        module[11] = 0x01;
        module[12] = 'x';
        System.arraycopy(body, 0, module, 13, body.length);
        return module;
    }

    private static byte[] random(long seed, int size) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }
}
