package dev.fleetmirror.node.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.node.FleetMirrorNode;
import dev.fleetmirror.node.config.HttpConfig;
import dev.fleetmirror.node.config.NodeConfig;
import dev.fleetmirror.node.config.StorageBackend;
import dev.fleetmirror.node.config.StorageConfig;
import dev.fleetmirror.storage.s3.S3StorageConfig;
import dev.fleetmirror.storage.s3.testing.S3ProxyExtension;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Nodes behind a round-robin load balancer share nothing but the bucket: one upload's requests may
 * each reach a different node, and the node that started it may be gone before it ends.
 */
class S3MultiNodeUploadTest {
    @RegisterExtension
    static final S3ProxyExtension S3 = new S3ProxyExtension("shared");

    @Test
    void uploadWhosePatchesReachDifferentNodesCompletesAfterTheFirstNodeIsGone() throws Exception {
        byte[] content = TestImages.randomBytes(13 * 1024 * 1024 + 5, 77);
        Digest digest = Digest.sha256(content);
        int firstEnd = 6 * 1024 * 1024 + 1;
        int secondEnd = 9 * 1024 * 1024 + 3;
        FleetMirrorNode nodeA = start();
        FleetMirrorNode nodeB = start();
        try {
            RegistryClient a = new RegistryClient(nodeA.port());
            RegistryClient b = new RegistryClient(nodeB.port());
            String location = a.startUpload("fleet/app");

            HttpResponse<byte[]> first = a.patch(location, Arrays.copyOfRange(content, 0, firstEnd),
                    "Content-Range", "0-" + (firstEnd - 1));
            assertThat(first.statusCode()).as(body(first)).isEqualTo(202);
            HttpResponse<byte[]> second = b.patch(location, Arrays.copyOfRange(content, firstEnd, secondEnd),
                    "Content-Range", firstEnd + "-" + (secondEnd - 1));
            assertThat(second.statusCode()).as(body(second)).isEqualTo(202);
            assertThat(second.headers().firstValue("Range")).hasValue("0-" + (secondEnd - 1));
            assertThat(a.get(location).headers().firstValue("Range")).as("node A sees node B's chunk")
                    .hasValue("0-" + (secondEnd - 1));

            nodeA.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            nodeA = null;
            HttpResponse<byte[]> put = b.put(location + "?digest=" + digest,
                    Arrays.copyOfRange(content, secondEnd, content.length));

            assertThat(put.statusCode()).as(body(put)).isEqualTo(201);
            assertThat(b.get("/v2/fleet/app/blobs/" + digest).body()).isEqualTo(content);
        } finally {
            if (nodeA != null) {
                nodeA.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            }
            nodeB.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        try (S3Client raw = S3.process().client()) {
            assertThat(raw.listMultipartUploads(r -> r.bucket(S3.bucket())).uploads())
                    .as("no multipart upload left behind").isEmpty();
            assertThat(raw.listObjectsV2(r -> r.bucket(S3.bucket()).prefix("fleetmirror/s3-pending/")).contents())
                    .as("no pending write left behind").isEmpty();
        }
    }

    private static FleetMirrorNode start() throws Exception {
        long min = S3StorageConfig.MIN_CHUNK_SIZE;
        NodeConfig config = NodeConfig.defaults()
                .withHttp(HttpConfig.loopback(0))
                .withStorage(StorageConfig.of(new StorageBackend.S3(S3.config().withChunkSizes(min, min, min))));
        return FleetMirrorNode.start(config).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private static String body(HttpResponse<byte[]> response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }
}
