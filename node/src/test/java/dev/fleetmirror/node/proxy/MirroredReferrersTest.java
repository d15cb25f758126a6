package dev.fleetmirror.node.proxy;

import static dev.fleetmirror.node.proxy.MirrorFixture.catchAll;
import static dev.fleetmirror.node.proxy.MirrorFixture.pull;
import static dev.fleetmirror.node.proxy.MirrorFixture.requests;
import static dev.fleetmirror.node.proxy.MirrorFixture.uri;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.manifest.MediaTypes;
import dev.fleetmirror.node.FleetMirrorNode;
import dev.fleetmirror.node.api.ApiHeaders;
import dev.fleetmirror.node.api.Staleness;
import dev.fleetmirror.node.testing.DistributionProcess;
import dev.fleetmirror.node.testing.RegistryHttpClient;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signatures, SBOMs and attestations of mirrored images: the mirror answers the referrers API from
 * the upstream's (a Fleet Mirror node in hosted mode) or, where the upstream has none (Debian's
 * docker-registry, Distribution 2.8), from the referrers tag schema; it keeps the list through an
 * outage and asks the upstream at most once per tag TTL.
 */
class MirroredReferrersTest {
    private static final String SIGNATURE = "application/vnd.example.signature.v1+json";
    private static final String SBOM = "application/spdx+json";

    @TempDir
    Path work;

    @RegisterExtension
    final MirrorRig rig = new MirrorRig("referrers-upstream");

    private FleetMirrorNode hostedUpstream;

    @AfterEach
    void stopHostedUpstream() throws Exception {
        MirrorFixture.stop(hostedUpstream);
    }

    private FleetMirrorNode hostedUpstream() throws Exception {
        hostedUpstream = MirrorFixture.node(work.resolve("upstream-storage"), work.resolve("upstream-spool"), Duration.ofMinutes(1));
        return hostedUpstream;
    }

    private FleetMirrorNode mirror(URI upstream, Duration tagTtl) throws Exception {
        return rig.startNode(work.resolve("mirror-storage"), work.resolve("mirror-spool"), tagTtl, catchAll(upstream));
    }

    @Test
    void referrersOfAMirroredImageAreListedFilteredPulledAndKeptThroughAnOutage() throws Exception {
        URI upstream = uri(hostedUpstream());
        TestImage image = TestImage.random(41, 20_000);
        image.push(upstream, "team/signed", "v1");
        Referrer signature = Referrer.of(image, SIGNATURE, "signed by the release key");
        Referrer sbom = Referrer.of(image, SBOM, "{\"packages\":[]}");
        signature.push(upstream, "team/signed");
        sbom.push(upstream, "team/signed");
        // A TTL of zero re-checks on every request, so the request after the outage must find the upstream gone.
        URI mirror = uri(mirror(upstream, Duration.ZERO));

        RegistryHttpClient.Response all = referrers(mirror, "team/signed", image.digest());
        assertThat(all.status()).as(all.toString()).isEqualTo(200);
        assertThat(all.headerOrEmpty("Content-Type")).isEqualTo(MediaTypes.OCI_INDEX);
        assertThat(digests(all)).containsExactlyInAnyOrder(signature.digest(), sbom.digest());
        assertThat(artifactTypes(all)).containsExactlyInAnyOrder(SIGNATURE, SBOM);

        RegistryHttpClient.Response signatures = new RegistryHttpClient(mirror)
                .call("GET", "/v2/team/signed/referrers/" + image.digest()).query("artifactType", SIGNATURE).send();
        assertThat(signatures.status()).as(signatures.toString()).isEqualTo(200);
        assertThat(signatures.headerOrEmpty(ApiHeaders.OCI_FILTERS_APPLIED)).isEqualTo("artifactType");
        assertThat(digests(signatures)).containsExactly(signature.digest());

        for (Referrer referrer : List.of(signature, sbom)) {
            Map<Digest, byte[]> pulled = pull(mirror, "team/signed", referrer.digest().toString());
            assertThat(pulled.get(referrer.digest())).isEqualTo(referrer.artifact().manifest());
            for (Digest blob : referrer.artifact().blobDigests()) {
                assertThat(pulled.get(blob)).isEqualTo(referrer.artifact().blob(blob));
            }
        }

        MirrorFixture.stop(hostedUpstream);
        hostedUpstream = null;

        RegistryHttpClient.Response duringOutage = referrers(mirror, "team/signed", image.digest());
        assertThat(duringOutage.status()).as(duringOutage.toString()).isEqualTo(200);
        assertThat(duringOutage.header(Staleness.HEADER)).isPresent();
        assertThat(digests(duringOutage)).containsExactlyInAnyOrder(signature.digest(), sbom.digest());
        RegistryHttpClient.Response sbomsDuringOutage = new RegistryHttpClient(mirror)
                .call("GET", "/v2/team/signed/referrers/" + image.digest()).query("artifactType", SBOM).send();
        assertThat(sbomsDuringOutage.headerOrEmpty(ApiHeaders.OCI_FILTERS_APPLIED)).isEqualTo("artifactType");
        assertThat(digests(sbomsDuringOutage)).containsExactly(sbom.digest());
        Map<Digest, byte[]> cachedSignature = pull(mirror, "team/signed", signature.digest().toString());
        assertThat(cachedSignature.get(signature.digest())).isEqualTo(signature.artifact().manifest());
    }

    @Test
    void anUpstreamIsAskedForReferrersAtMostOncePerTagTtl() throws Exception {
        URI upstream = uri(hostedUpstream());
        TestImage image = TestImage.random(42, 10_000);
        image.push(upstream, "team/counted", "v1");
        Referrer signature = Referrer.of(image, SIGNATURE, "counted signature");
        signature.push(upstream, "team/counted");
        URI mirror = uri(mirror(upstream, Duration.ofMinutes(1)));

        for (int i = 0; i < 10; i++) {
            RegistryHttpClient.Call call = new RegistryHttpClient(mirror).call("GET", "/v2/team/counted/referrers/" + image.digest());
            if (i % 2 == 1) {
                call.query("artifactType", i % 4 == 1 ? SIGNATURE : SBOM);
            }
            RegistryHttpClient.Response answer = call.send();
            assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
            assertThat(digests(answer)).hasSize(i % 4 == 3 ? 0 : 1);
        }

        assertThat(referrersRequestsAnswered(upstream)).as("referrers requests the upstream answered").isEqualTo(1);
    }

    @Test
    void aReferrerAddedUpstreamIsListedAfterTheTagTtlWithOneMoreUpstreamRequest() throws Exception {
        URI upstream = uri(hostedUpstream());
        TestImage image = TestImage.random(46, 10_000);
        image.push(upstream, "team/refreshed", "v1");
        Referrer signature = Referrer.of(image, SIGNATURE, "first signature");
        signature.push(upstream, "team/refreshed");
        URI mirror = uri(mirror(upstream, Duration.ofSeconds(2)));
        assertThat(digests(referrers(mirror, "team/refreshed", image.digest()))).containsExactly(signature.digest());

        Referrer sbom = Referrer.of(image, SBOM, "{\"packages\":[\"late\"]}");
        sbom.push(upstream, "team/refreshed");

        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> digests(referrers(mirror, "team/refreshed", image.digest())).size() == 2);
        assertThat(referrersRequestsAnswered(upstream)).as("referrers requests the upstream answered").isEqualTo(2);
    }

    @Test
    void anUpstreamWithoutTheReferrersApiIsReadThroughTheReferrersTagSchema() throws Exception {
        DistributionProcess upstream = rig.startUpstream(work, "distribution", "");
        TestImage image = TestImage.random(43, 10_000);
        image.push(upstream.baseUri(), "team/legacy", "v1");
        Referrer signature = Referrer.of(image, SIGNATURE, "legacy signature");
        Referrer sbom = Referrer.of(image, SBOM, "{\"packages\":[\"legacy\"]}");
        signature.push(upstream.baseUri(), "team/legacy");
        sbom.push(upstream.baseUri(), "team/legacy");
        String referrersTag = "sha256-" + image.digest().hex();
        byte[] index = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\",\"manifests\":["
                + signature.descriptorJson() + "," + sbom.descriptorJson() + "]}").getBytes(StandardCharsets.UTF_8);
        RegistryHttpClient.Response tagged = new RegistryHttpClient(upstream.baseUri())
                .call("PUT", "/v2/team/legacy/manifests/" + referrersTag)
                .header("Content-Type", MediaTypes.OCI_INDEX).body(index).send();
        assertThat(tagged.status()).as(tagged.toString()).isEqualTo(201);
        URI mirror = uri(mirror(upstream.baseUri(), Duration.ofMinutes(1)));

        RegistryHttpClient.Response all = referrers(mirror, "team/legacy", image.digest());
        RegistryHttpClient.Response again = referrers(mirror, "team/legacy", image.digest());

        assertThat(all.status()).as(all.toString()).isEqualTo(200);
        assertThat(digests(all)).containsExactlyInAnyOrder(signature.digest(), sbom.digest());
        assertThat(artifactTypes(all)).containsExactlyInAnyOrder(SIGNATURE, SBOM);
        assertThat(digests(again)).containsExactlyInAnyOrder(signature.digest(), sbom.digest());
        assertThat(requests(upstream, "GET", "/v2/team/legacy/referrers/" + image.digest())).isEqualTo(1);
        assertThat(requests(upstream, "GET", "/v2/team/legacy/manifests/" + referrersTag)).isEqualTo(1);
        Map<Digest, byte[]> pulled = pull(mirror, "team/legacy", sbom.digest().toString());
        assertThat(pulled.get(sbom.digest())).isEqualTo(sbom.artifact().manifest());
    }

    @Test
    void cosignSignatureTagsMirrorLikeAnyTag() throws Exception {
        DistributionProcess upstream = rig.startUpstream(work, "distribution", "");
        TestImage image = TestImage.random(44, 10_000);
        image.push(upstream.baseUri(), "team/cosigned", "v1");
        // cosign's tag-based layout: the signature is an image of its own, tagged for the digest it signs.
        TestImage signature = TestImage.random(45, 300);
        String signatureTag = "sha256-" + image.digest().hex() + ".sig";
        signature.push(upstream.baseUri(), "team/cosigned", signatureTag);
        URI mirror = uri(mirror(upstream.baseUri(), Duration.ofMinutes(1)));

        Map<Digest, byte[]> pulled = pull(mirror, "team/cosigned", signatureTag);

        assertThat(pulled.get(signature.digest())).isEqualTo(signature.manifest());
        for (Digest blob : signature.blobDigests()) {
            assertThat(pulled.get(blob)).isEqualTo(signature.blob(blob));
        }
        RegistryHttpClient.Response tags = new RegistryHttpClient(mirror).call("GET", "/v2/team/cosigned/tags/list").send();
        assertThat(tags.text()).contains("\"" + signatureTag + "\"", "\"v1\"");
    }

    private static RegistryHttpClient.Response referrers(URI registry, String repo, Digest subject) {
        return new RegistryHttpClient(registry).call("GET", "/v2/" + repo + "/referrers/" + subject).send();
    }

    private static List<Digest> digests(RegistryHttpClient.Response index) {
        List<Digest> digests = new ArrayList<>();
        for (JsonNode entry : index.json().path("manifests")) {
            digests.add(Digest.parse(entry.path("digest").asText()));
        }
        return digests;
    }

    private static List<String> artifactTypes(RegistryHttpClient.Response index) {
        List<String> types = new ArrayList<>();
        index.json().path("manifests").forEach(entry -> types.add(entry.path("artifactType").asText()));
        return types;
    }

    /** Referrers requests the upstream node counted, whatever their status. */
    private static double referrersRequestsAnswered(URI upstream) {
        String metrics = new RegistryHttpClient(upstream).call("GET", "/metrics").send().text();
        Matcher m = Pattern.compile("^fleetmirror_http_requests_total\\{[^}]*route=\"referrers\"[^}]*\\} (\\S+)$",
                Pattern.MULTILINE).matcher(metrics);
        double total = 0;
        while (m.find()) {
            total += Double.parseDouble(m.group(1));
        }
        return total;
    }
}
