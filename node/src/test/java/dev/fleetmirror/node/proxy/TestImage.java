package dev.fleetmirror.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.manifest.MediaTypes;
import dev.fleetmirror.node.testing.RegistryHttpClient;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** A small OCI image (config plus random layers) pushed to an upstream over plain HTTP. */
public record TestImage(byte[] config, List<byte[]> layers, byte[] manifest) {

    public static TestImage random(long seed, int... layerSizes) {
        Random random = new Random(seed);
        List<byte[]> layers = new ArrayList<>();
        StringBuilder layerJson = new StringBuilder();
        for (int size : layerSizes) {
            byte[] layer = new byte[size];
            random.nextBytes(layer);
            layers.add(layer);
            layerJson.append(layerJson.length() == 0 ? "" : ",").append("{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",")
                    .append("\"digest\":\"").append(Digest.sha256(layer)).append("\",\"size\":").append(size).append('}');
        }
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"seed\":" + seed + ",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}")
                .getBytes(StandardCharsets.UTF_8);
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":{\"mediaType\":\""
                + MediaTypes.OCI_CONFIG + "\",\"digest\":\"" + Digest.sha256(config) + "\",\"size\":" + config.length
                + "},\"layers\":[" + layerJson + "]}").getBytes(StandardCharsets.UTF_8);
        return new TestImage(config, layers, manifest);
    }

    public Digest digest() {
        return Digest.sha256(manifest);
    }

    public List<Digest> blobDigests() {
        List<Digest> digests = new ArrayList<>();
        digests.add(Digest.sha256(config));
        layers.forEach(layer -> digests.add(Digest.sha256(layer)));
        return digests;
    }

    public byte[] blob(Digest digest) {
        if (Digest.sha256(config).equals(digest)) {
            return config;
        }
        return layers.stream().filter(l -> Digest.sha256(l).equals(digest)).findFirst().orElseThrow();
    }

    /** Pushes blobs (POST then PUT) and the manifest under {@code tag}. */
    public void push(URI registry, String repo, String tag, String... headers) {
        RegistryHttpClient client = new RegistryHttpClient(registry);
        List<byte[]> blobs = new ArrayList<>(layers);
        blobs.add(config);
        for (byte[] blob : blobs) {
            RegistryHttpClient.Call start = client.call("POST", "/v2/" + repo + "/blobs/uploads/");
            for (int i = 0; i < headers.length; i += 2) {
                start.header(headers[i], headers[i + 1]);
            }
            RegistryHttpClient.Response started = start.send();
            assertThat(started.status()).as(started.toString()).isEqualTo(202);
            RegistryHttpClient.Call put = client.call("PUT", started.location()).query("digest", Digest.sha256(blob).toString())
                    .header("Content-Type", "application/octet-stream").body(blob);
            for (int i = 0; i < headers.length; i += 2) {
                put.header(headers[i], headers[i + 1]);
            }
            RegistryHttpClient.Response done = put.send();
            assertThat(done.status()).as(done.toString()).isEqualTo(201);
        }
        RegistryHttpClient.Call put = client.call("PUT", "/v2/" + repo + "/manifests/" + tag)
                .header("Content-Type", MediaTypes.OCI_MANIFEST).body(manifest);
        for (int i = 0; i < headers.length; i += 2) {
            put.header(headers[i], headers[i + 1]);
        }
        RegistryHttpClient.Response response = put.send();
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
    }
}
