package dev.fleetmirror.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.manifest.MediaTypes;
import dev.fleetmirror.core.storage.StoragePaths;
import dev.fleetmirror.node.FleetMirrorNode;
import dev.fleetmirror.node.config.HttpConfig;
import dev.fleetmirror.node.config.NodeConfig;
import dev.fleetmirror.node.config.ProxyConfig;
import dev.fleetmirror.node.config.StorageBackend;
import dev.fleetmirror.node.config.StorageConfig;
import dev.fleetmirror.node.config.UpstreamConfig;
import dev.fleetmirror.node.testing.DistributionProcess;
import dev.fleetmirror.node.testing.RegistryHttpClient;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Starting upstreams and mirror nodes, pulling through them, and reading what the upstream served. */
final class MirrorFixture {
    private MirrorFixture() {
    }

    static DistributionProcess upstream(Path work, String name, String extraYaml) {
        return DistributionProcess.start(work.resolve(name), work.resolve(name + "-storage"), true, extraYaml);
    }

    static UpstreamConfig catchAll(URI url) {
        return new UpstreamConfig("upstream", url, Optional.empty(), Optional.empty(), "", true);
    }

    static FleetMirrorNode node(Path storage, Path spool, Duration tagTtl, UpstreamConfig... upstreams) throws Exception {
        return FleetMirrorNode.start(config(storage, spool, tagTtl, upstreams))
                .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    /** A mirror node's config: loopback on a free port, filesystem storage, the given upstreams. */
    static NodeConfig config(Path storage, Path spool, Duration tagTtl, UpstreamConfig... upstreams) {
        return NodeConfig.defaults()
                .withHttp(HttpConfig.loopback(0))
                .withStorage(StorageConfig.of(new StorageBackend.Filesystem(storage)))
                .withProxy(ProxyConfig.none().withUpstreams(List.of(upstreams)).withTagTtl(tagTtl).withSpoolDirectory(spool));
    }

    static void stop(FleetMirrorNode node) throws Exception {
        if (node != null) {
            node.close(1).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    static URI uri(FleetMirrorNode node) {
        return URI.create("http://127.0.0.1:" + node.port());
    }

    /** Pulls manifest and blobs, checking every digest; returns the blobs by digest. */
    static Map<Digest, byte[]> pull(URI registry, String repo, String reference) {
        RegistryHttpClient client = new RegistryHttpClient(registry);
        RegistryHttpClient.Response manifest = client.call("GET", "/v2/" + repo + "/manifests/" + reference)
                .header("Accept", MediaTypes.OCI_MANIFEST).send();
        assertThat(manifest.status()).as(manifest.toString()).isEqualTo(200);
        Map<Digest, byte[]> blobs = new LinkedHashMap<>();
        blobs.put(Digest.sha256(manifest.body()), manifest.body());
        JsonNode json = manifest.json();
        List<JsonNode> descriptors = new java.util.ArrayList<>();
        descriptors.add(json.path("config"));
        json.path("layers").forEach(descriptors::add);
        for (JsonNode descriptor : descriptors) {
            Digest digest = Digest.parse(descriptor.path("digest").asText());
            RegistryHttpClient.Response blob = client.call("GET", "/v2/" + repo + "/blobs/" + digest).send();
            assertThat(blob.status()).as(blob.toString()).isEqualTo(200);
            assertThat(Digest.sha256(blob.body())).isEqualTo(digest);
            blobs.put(digest, blob.body());
        }
        return blobs;
    }

    /** How many times the upstream's access log shows {@code method path}. */
    static int requests(DistributionProcess upstream, String method, String path) {
        Matcher m = Pattern.compile("\"" + method + " " + Pattern.quote(path) + "(\\?[^ ]*)? HTTP/1\\.1\" ").matcher(upstream.logText());
        int count = 0;
        while (m.find()) {
            count++;
        }
        return count;
    }

    static int blobGets(DistributionProcess upstream, String repo, Digest digest) {
        return requests(upstream, "GET", "/v2/" + repo + "/blobs/" + digest);
    }

    static Path blobData(Path storageRoot, Digest digest) {
        return storageRoot.resolve(StoragePaths.blobData(digest).substring(1));
    }

    static boolean cached(Path storageRoot, Digest digest) {
        return Files.isRegularFile(blobData(storageRoot, digest));
    }
}
