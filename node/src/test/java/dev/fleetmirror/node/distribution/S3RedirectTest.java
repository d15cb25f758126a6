package dev.fleetmirror.node.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.node.FleetMirrorNode;
import dev.fleetmirror.node.config.HttpConfig;
import dev.fleetmirror.node.config.NodeConfig;
import dev.fleetmirror.node.config.StorageBackend;
import dev.fleetmirror.node.config.StorageConfig;
import dev.fleetmirror.storage.s3.testing.S3ProxyExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * With {@code storage.redirect.disable: false}, blob GETs answer 307 to a presigned URL of the
 * presign endpoint, and a client that follows it gets the blob from S3 itself.
 */
class S3RedirectTest {
    @RegisterExtension
    static final S3ProxyExtension S3 = new S3ProxyExtension("redirect");

    @Test
    void blobGetRedirectsToAPresignedUrlThatServesTheBlob() throws Exception {
        // Nodes reach S3 as localhost; clients are sent to the presign endpoint's address.
        URI nodeSide = URI.create("http://localhost:" + S3.process().port());
        URI clientSide = URI.create("http://127.0.0.1:" + S3.process().port());
        var s3 = S3.config();
        var config = new dev.fleetmirror.storage.s3.S3StorageConfig(s3.bucket(), s3.region(),
                java.util.Optional.of(nodeSide), java.util.Optional.of(clientSide), s3.accessKey(), s3.secretKey(),
                java.util.Optional.empty(), "", true, false, s3.chunkSize(), s3.multipartCopyThresholdSize(),
                s3.multipartCopyChunkSize(), 16, 1000);
        FleetMirrorNode node = FleetMirrorNode.start(NodeConfig.defaults()
                        .withHttp(HttpConfig.loopback(0))
                        .withStorage(StorageConfig.of(new StorageBackend.S3(config)).withRedirectDisabled(false)))
                .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        try {
            RegistryClient client = new RegistryClient(node.port());
            byte[] content = TestImages.randomBytes(200_000, 9);
            Digest digest = client.pushBlob("redirect/app", content);

            HttpResponse<byte[]> get = client.get("/v2/redirect/app/blobs/" + digest);
            assertThat(get.statusCode()).isEqualTo(307);
            URI location = URI.create(get.headers().firstValue("Location").orElseThrow());
            assertThat(location.getHost()).isEqualTo("127.0.0.1");
            assertThat(client.head("/v2/redirect/app/blobs/" + digest).statusCode()).as("HEAD answers itself").isEqualTo(200);

            HttpResponse<byte[]> followed = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build()
                    .send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port()
                            + "/v2/redirect/app/blobs/" + digest)).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(followed.statusCode()).isEqualTo(200);
            assertThat(followed.body()).isEqualTo(content);
        } finally {
            node.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }
}
