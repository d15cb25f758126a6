package dev.fleetmirror.node.proxy;

import static dev.fleetmirror.node.proxy.MirrorFixture.catchAll;
import static dev.fleetmirror.node.proxy.MirrorFixture.uri;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.manifest.MediaTypes;
import dev.fleetmirror.node.FleetMirrorNode;
import dev.fleetmirror.node.api.Staleness;
import dev.fleetmirror.node.cli.Main;
import dev.fleetmirror.node.testing.RegistryHttpClient;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code fleetmirror warm --with-referrers}: a site warms a signed image (two referrers of different
 * artifact types and a cosign {@code .sig} tag, on an upstream that is a Fleet Mirror node in hosted
 * mode), then loses its upstream, and still serves the referrers list, every referrer's manifest and
 * blobs, and the signature tag. Without the option, nothing of the referrers is fetched.
 */
class WarmWithReferrersTest {
    private static final String REPO = "team/signed";
    private static final String SIGNATURE = "application/vnd.dev.cosign.artifact.sig.v1+json";
    private static final String SBOM = "application/spdx+json";

    @TempDir
    Path work;

    @RegisterExtension
    final MirrorRig rig = new MirrorRig();

    private FleetMirrorNode upstream;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @AfterEach
    void stopUpstream() throws Exception {
        MirrorFixture.stop(upstream);
    }

    @Test
    void warmedReferrersAndSignatureTagsAreServedWithTheUpstreamGone() throws Exception {
        upstream = MirrorFixture.node(work.resolve("upstream-storage"), work.resolve("upstream-spool"), Duration.ofMinutes(1));
        TestImage image = TestImage.random(71, 40_000);
        image.push(uri(upstream), REPO, "v1");
        Referrer signature = Referrer.of(image, SIGNATURE, "signed by the release key");
        Referrer sbom = Referrer.of(image, SBOM, "{\"spdxVersion\":\"SPDX-2.3\",\"packages\":[]}");
        signature.push(uri(upstream), REPO);
        sbom.push(uri(upstream), REPO);
        // cosign before the referrers API: the signature is a manifest tagged after the image's digest.
        TestImage cosignSignature = cosignTagSignature(image);
        String sigTag = "sha256-" + image.digest().hex() + ".sig";
        cosignSignature.push(uri(upstream), REPO, sigTag);
        // A zero TTL re-checks every request upstream, so every answer after the outage proves what was kept.
        URI mirror = uri(rig.startNode(work.resolve("mirror-storage"), work.resolve("mirror-spool"), Duration.ZERO,
                catchAll(uri(upstream))));

        int exit = warm(mirror, REPO + ":v1", "--with-referrers");

        assertThat(exit).as("out:\n%s\nerr:\n%s", out, err).isZero();
        assertThat(out.toString()).contains("referrer " + signature.digest().toString().substring(0, 19))
                .contains("referrer " + sbom.digest().toString().substring(0, 19))
                .contains("(tag " + sigTag + ")").contains("3 referrers");
        MirrorFixture.stop(upstream);
        upstream = null;

        RegistryHttpClient client = new RegistryHttpClient(mirror);
        RegistryHttpClient.Response listed = client.call("GET", "/v2/" + REPO + "/referrers/" + image.digest()).send();
        assertThat(listed.status()).as(listed.toString()).isEqualTo(200);
        assertThat(listed.header(Staleness.HEADER)).as("served from what the warm kept").isPresent();
        List<Digest> digests = new ArrayList<>();
        listed.json().path("manifests").forEach(m -> digests.add(Digest.parse(m.path("digest").asText())));
        assertThat(digests).containsExactlyInAnyOrder(signature.digest(), sbom.digest());
        for (TestImage artifact : List.of(signature.artifact(), sbom.artifact(), cosignSignature)) {
            RegistryHttpClient.Response manifest = client.call("GET", "/v2/" + REPO + "/manifests/" + artifact.digest())
                    .header("Accept", MediaTypes.OCI_MANIFEST).send();
            assertThat(manifest.status()).as(manifest.toString()).isEqualTo(200);
            assertThat(manifest.body()).isEqualTo(artifact.manifest());
            for (Digest blob : artifact.blobDigests()) {
                RegistryHttpClient.Response fetched = client.call("GET", "/v2/" + REPO + "/blobs/" + blob).send();
                assertThat(fetched.status()).as("%s: %s", blob, fetched).isEqualTo(200);
                assertThat(fetched.body()).isEqualTo(artifact.blob(blob));
            }
        }
        RegistryHttpClient.Response tagged = client.call("GET", "/v2/" + REPO + "/manifests/" + sigTag)
                .header("Accept", MediaTypes.OCI_MANIFEST).send();
        assertThat(tagged.status()).as(tagged.toString()).isEqualTo(200);
        assertThat(tagged.body()).isEqualTo(cosignSignature.manifest());
    }

    @Test
    void withoutTheOptionNoReferrerIsFetched() throws Exception {
        upstream = MirrorFixture.node(work.resolve("upstream-storage"), work.resolve("upstream-spool"), Duration.ofMinutes(1));
        TestImage image = TestImage.random(72, 10_000);
        image.push(uri(upstream), REPO, "v1");
        Referrer signature = Referrer.of(image, SIGNATURE, "not warmed");
        signature.push(uri(upstream), REPO);
        URI mirror = uri(rig.startNode(work.resolve("mirror-storage"), work.resolve("mirror-spool"), Duration.ofMinutes(1),
                catchAll(uri(upstream))));

        assertThat(warm(mirror, "--json", REPO + ":v1")).as("err:\n%s", err).isZero();

        String[] lines = out.toString().trim().split("\n");
        JsonNode summary = new com.fasterxml.jackson.databind.ObjectMapper().readTree(lines[lines.length - 1]);
        assertThat(summary.path("referrers").asInt()).isZero();
        assertThat(out.toString()).doesNotContain("\"event\":\"referrer\"");
        for (Digest blob : signature.artifact().blobDigests()) {
            assertThat(MirrorFixture.cached(work.resolve("mirror-storage"), blob)).isFalse();
        }
    }

    /** What cosign pushes under {@code sha256-<hex>.sig}: a simple-signing payload, no subject (so no referrers API entry). */
    private static TestImage cosignTagSignature(TestImage image) {
        byte[] config = "{\"architecture\":\"\",\"os\":\"\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] payload = ("{\"critical\":{\"identity\":{\"docker-reference\":\"" + REPO + "\"},\"image\":"
                + "{\"docker-manifest-digest\":\"" + image.digest() + "\"},\"type\":\"cosign container image signature\"}}")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":{\"mediaType\":\""
                + MediaTypes.OCI_CONFIG + "\",\"digest\":\"" + Digest.sha256(config) + "\",\"size\":" + config.length
                + "},\"layers\":[{\"mediaType\":\"application/vnd.dev.cosign.simplesigning.v1+json\",\"digest\":\""
                + Digest.sha256(payload) + "\",\"size\":" + payload.length + ",\"annotations\":"
                + "{\"dev.cosignproject.cosign/signature\":\"MEUCIQDexample\"}}]}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return new TestImage(config, List.of(payload), manifest);
    }

    private int warm(URI mirror, String... args) {
        List<String> full = new ArrayList<>(List.of("warm"));
        full.addAll(List.of(args));
        full.addAll(List.of("--server", mirror.toString()));
        CommandLine command = Main.commandLine();
        command.setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
        return command.execute(full.toArray(String[]::new));
    }
}
