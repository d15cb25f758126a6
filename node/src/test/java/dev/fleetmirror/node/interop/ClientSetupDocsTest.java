package dev.fleetmirror.node.interop;

import static dev.fleetmirror.node.interop.ReadmeBlocks.MIRROR;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.manifest.MediaTypes;
import dev.fleetmirror.node.FleetMirrorNode;
import dev.fleetmirror.node.config.ConfigLoader;
import dev.fleetmirror.node.config.HttpConfig;
import dev.fleetmirror.node.config.NodeConfig;
import dev.fleetmirror.node.config.StorageBackend;
import dev.fleetmirror.node.config.StorageConfig;
import dev.fleetmirror.node.testing.DistributionProcess;
import dev.fleetmirror.node.testing.NodeProcess;
import dev.fleetmirror.node.testing.RegistryHttpClient;
import dev.fleetmirror.node.testing.Skopeo;
import dev.fleetmirror.node.testing.SyntheticImages;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client set-up of README.md ("Pointing clients at it") run as written: the node runs the
 * README's node configuration with Docker Hub's URL replaced by a local Distribution registry that
 * holds {@code library/fm-docs:1.0}, and each client asks for {@code docker.io/library/fm-docs:1.0}
 * the way the README sets it up. skopeo is the real client; dockerd does not run here, so its
 * requests (bare Docker Hub names) are sent as it sends them. containerd's requests ({@code ?ns=} to
 * the mirror host of the README's hosts.toml) are sent here too, so the routing is checked where
 * containerd cannot run; {@link ContainerdHostsTomlTest} pulls with real containerd.
 */
class ClientSetupDocsTest {
    private static final String DOCKER_HUB = "https://registry-1.docker.io";
    private static final String REPOSITORY = "library/fm-docs";
    private static final String TAG = "1.0";
    private static final String MANIFEST_TYPES = String.join(", ", MediaTypes.OCI_MANIFEST, MediaTypes.OCI_INDEX,
            "application/vnd.docker.distribution.manifest.v2+json", "application/vnd.docker.distribution.manifest.list.v2+json");

    @TempDir
    Path work;

    private DistributionProcess upstream;
    private FleetMirrorNode node;
    private Path source;
    private Digest manifest;

    @BeforeEach
    void upstreamHoldsTheImage() {
        assumeTrue(DistributionProcess.available(), DistributionProcess.absentReason());
        assumeTrue(Skopeo.available(), Skopeo.absentReason());
        upstream = DistributionProcess.start(work.resolve("upstream"), work.resolve("upstream-storage"), true, "");
        source = work.resolve("source");
        manifest = Digest.parse(new SyntheticImages(source).image(TAG, 41, "amd64", 0.3, 0.1));
        Skopeo.copy("oci:" + source + ":" + TAG, "docker://" + upstream.hostAndPort() + "/" + REPOSITORY + ":" + TAG, false);
    }

    @AfterEach
    void stop() throws Exception {
        if (node != null) {
            node.close(1).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    @Test
    void skopeoWithTheReadmeRegistriesConfPullsDockerHubImagesThroughTheMirror() throws Exception {
        startNode("node-config");
        Path conf = work.resolve("registries.conf");
        Files.writeString(conf, ReadmeBlocks.block("registries.conf").replace(MIRROR, "127.0.0.1:" + node.port()));
        // docker.io does not resolve here; proxies on a closed loopback port make sure that a
        // fallback to it could not leave the machine even where it did.
        String closed = "http://127.0.0.1:" + NodeProcess.freePort();

        Skopeo.copyWithRegistriesConf(conf, "docker://docker.io/" + REPOSITORY + ":" + TAG,
                "oci:" + work.resolve("pulled") + ":" + TAG, Map.of("HTTPS_PROXY", closed, "HTTP_PROXY", closed));

        for (Digest digest : imageDigests()) {
            assertThat(work.resolve("pulled/blobs/sha256/" + digest.hex())).as(digest.toString())
                    .hasSameBinaryContentAs(source.resolve("blobs/sha256/" + digest.hex()));
        }
        assertThat(cachedRepository("docker.io/" + REPOSITORY)).as("cached under the docker.io/ prefix").isDirectory();
    }

    @Test
    void containerdRequestsToTheReadmeHostsTomlMirrorAreServedByNs() throws Exception {
        startNode("node-config");
        JsonNode hosts = new TomlMapper().readTree(ReadmeBlocks.block("hosts.toml").replace(MIRROR, "127.0.0.1:" + node.port()));
        List<String> mirrors = new ArrayList<>();
        hosts.get("host").fieldNames().forEachRemaining(mirrors::add);
        assertThat(mirrors).hasSize(1);
        // containerd: resolve the tag with HEAD, then fetch the manifest and blobs by digest, each
        // at <host>/v2/<name>/... with ns=<the registry the image names>.
        RegistryHttpClient containerd = new RegistryHttpClient(URI.create(mirrors.get(0)));

        RegistryHttpClient.Response head = containerd.call("HEAD", "/v2/" + REPOSITORY + "/manifests/" + TAG)
                .query("ns", "docker.io").header("Accept", MANIFEST_TYPES).send();
        assertThat(head.status()).as(head.toString()).isEqualTo(200);
        assertThat(head.headerOrEmpty("Docker-Content-Digest")).isEqualTo(manifest.toString());
        for (Digest digest : imageDigests()) {
            String kind = digest.equals(manifest) ? "/manifests/" : "/blobs/";
            RegistryHttpClient.Response get = containerd.call("GET", "/v2/" + REPOSITORY + kind + digest)
                    .query("ns", "docker.io").header("Accept", MANIFEST_TYPES).send();
            assertThat(get.status()).as(get.toString()).isEqualTo(200);
            assertThat(get.body()).isEqualTo(Files.readAllBytes(source.resolve("blobs/sha256/" + digest.hex())));
        }
        assertThat(cachedRepository("docker.io/" + REPOSITORY)).as("?ns=docker.io shares the docker.io/ prefix's cache")
                .isDirectory();
    }

    @Test
    void dockerdRequestsForBareDockerHubNamesAreServedByTheReadmeDockerdNode() throws Exception {
        startNode("node-config-dockerd");
        RegistryHttpClient dockerd = new RegistryHttpClient(URI.create("http://127.0.0.1:" + node.port()));

        RegistryHttpClient.Response head = dockerd.call("HEAD", "/v2/" + REPOSITORY + "/manifests/" + TAG)
                .header("Accept", MANIFEST_TYPES).send();
        assertThat(head.status()).as(head.toString()).isEqualTo(200);
        assertThat(head.headerOrEmpty("Docker-Content-Digest")).isEqualTo(manifest.toString());
        for (Digest digest : imageDigests()) {
            String kind = digest.equals(manifest) ? "/manifests/" : "/blobs/";
            RegistryHttpClient.Response get = dockerd.call("GET", "/v2/" + REPOSITORY + kind + digest)
                    .header("Accept", MANIFEST_TYPES).send();
            assertThat(get.status()).as(get.toString()).isEqualTo(200);
            assertThat(get.body()).isEqualTo(Files.readAllBytes(source.resolve("blobs/sha256/" + digest.hex())));
        }
        assertThat(cachedRepository("docker.io/" + REPOSITORY)).as("a mirrored copy under the default upstream's prefix, not a hosted miss")
                .isDirectory();
    }

    /** Starts a node on the README's node configuration {@code block}, Docker Hub replaced by the local upstream. */
    private void startNode(String block) throws Exception {
        String yaml = ReadmeBlocks.block(block);
        assertThat(yaml).contains(DOCKER_HUB);
        NodeConfig readme = ConfigLoader.fromYaml(yaml.replace(DOCKER_HUB, upstream.baseUri().toString()), Map.of());
        NodeConfig config = NodeConfig.defaults()
                .withHttp(HttpConfig.loopback(0))
                .withStorage(StorageConfig.of(new StorageBackend.Filesystem(work.resolve("node-storage"))))
                .withProxy(readme.proxy().withSpoolDirectory(work.resolve("spool")));
        node = FleetMirrorNode.start(config).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    /** The manifest, the config and the layers of the image in {@link #source}. */
    private List<Digest> imageDigests() throws Exception {
        JsonNode json = new ObjectMapper().readTree(source.resolve("blobs/sha256/" + manifest.hex()).toFile());
        List<Digest> digests = new ArrayList<>(List.of(manifest, Digest.parse(json.path("config").path("digest").asText())));
        json.path("layers").forEach(layer -> digests.add(Digest.parse(layer.path("digest").asText())));
        assertThat(digests).hasSizeGreaterThanOrEqualTo(4);
        return digests;
    }

    private Path cachedRepository(String name) {
        return work.resolve("node-storage/docker/registry/v2/repositories/" + name + "/_manifests");
    }
}
