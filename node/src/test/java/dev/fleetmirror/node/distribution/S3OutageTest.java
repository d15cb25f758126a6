package dev.fleetmirror.node.distribution;

import static dev.fleetmirror.node.distribution.RegistryClient.errorCode;
import static dev.fleetmirror.node.distribution.RegistryClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.node.FleetMirrorNode;
import dev.fleetmirror.node.config.HttpConfig;
import dev.fleetmirror.node.config.NodeConfig;
import dev.fleetmirror.node.config.StorageBackend;
import dev.fleetmirror.node.config.StorageConfig;
import dev.fleetmirror.storage.s3.testing.S3ProxyExtension;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The S3 endpoint dies in the middle of a download and comes back: the download in flight fails
 * (never truncated silently), requests meanwhile get 503 UNAVAILABLE, and once S3 is back the same
 * node serves again, without a restart.
 */
class S3OutageTest {
    @RegisterExtension
    static final S3ProxyExtension S3 = new S3ProxyExtension("outage");

    @Test
    void endpointKilledMidDownloadFailsCleanlyAndTheNodeRecoversWhenItReturns() throws Exception {
        NodeConfig config = NodeConfig.defaults()
                .withHttp(HttpConfig.loopback(0))
                .withStorage(StorageConfig.of(new StorageBackend.S3(S3.config())));
        FleetMirrorNode node = FleetMirrorNode.start(config).toCompletionStage().toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
        try {
            RegistryClient client = new RegistryClient(node.port());
            byte[] content = TestImages.randomBytes(48 * 1024 * 1024, 5);
            Digest digest = client.pushBlob("outage/app", content);
            String blob = "/v2/outage/app/blobs/" + digest;

            HttpResponse<InputStream> download = client.sendStreaming(blob);
            assertThat(download.statusCode()).isEqualTo(200);
            long received;
            boolean failed = false;
            try (InputStream body = download.body()) {
                received = body.readNBytes(1024 * 1024).length;
                S3.process().kill();
                try {
                    received += body.transferTo(OutputStreamSink.INSTANCE);
                } catch (IOException e) {
                    failed = true;
                }
            }
            assertThat(failed || received < content.length)
                    .as("the download in flight ends in an error, not as a complete blob").isTrue();

            HttpResponse<byte[]> whileDown = client.get(blob);
            assertThat(whileDown.statusCode()).isEqualTo(503);
            assertThat(errorCode(whileDown)).isEqualTo("UNAVAILABLE");
            assertThat(json(whileDown).path("errors").path(0).path("message").asText()).contains("storage is unavailable");
            HttpResponse<byte[]> pushWhileDown = client.post("/v2/outage/app/blobs/uploads/", new byte[0]);
            assertThat(pushWhileDown.statusCode()).isEqualTo(503);

            S3.process().restart();

            HttpResponse<byte[]> afterRestart = client.get(blob);
            assertThat(afterRestart.statusCode()).isEqualTo(200);
            assertThat(Digest.sha256(afterRestart.body())).isEqualTo(digest);
            assertThat(client.pushBlob("outage/app", TestImages.randomBytes(1000, 6))).isNotNull();
        } finally {
            node.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void chunkRefusedWhileS3IsDownLeavesTheUploadResumableWhenItReturns() throws Exception {
        NodeConfig config = NodeConfig.defaults()
                .withHttp(HttpConfig.loopback(0))
                .withStorage(StorageConfig.of(new StorageBackend.S3(S3.config())));
        FleetMirrorNode node = FleetMirrorNode.start(config).toCompletionStage().toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
        try {
            RegistryClient client = new RegistryClient(node.port());
            byte[] content = TestImages.randomBytes(3 * 1024 * 1024, 8);
            int half = content.length / 2;
            String location = client.startUpload("outage/chunks");
            HttpResponse<byte[]> first = client.patch(location, java.util.Arrays.copyOfRange(content, 0, half),
                    "Content-Range", "0-" + (half - 1));
            assertThat(first.statusCode()).isEqualTo(202);

            S3.process().kill();
            HttpResponse<byte[]> refused = client.patch(location,
                    java.util.Arrays.copyOfRange(content, half, content.length),
                    "Content-Range", half + "-" + (content.length - 1));
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(errorCode(refused)).isEqualTo("UNAVAILABLE");
            S3.process().restart();

            assertThat(client.get(location).headers().firstValue("Range")).as("nothing of the refused chunk kept")
                    .hasValue("0-" + (half - 1));
            HttpResponse<byte[]> put = client.put(location + "?digest=" + Digest.sha256(content),
                    java.util.Arrays.copyOfRange(content, half, content.length));
            assertThat(put.statusCode()).isEqualTo(201);
            assertThat(client.get("/v2/outage/chunks/blobs/" + Digest.sha256(content)).body()).isEqualTo(content);
        } finally {
            node.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    /** Discards what it is given; only the byte count matters. */
    private static final class OutputStreamSink extends java.io.OutputStream {
        static final OutputStreamSink INSTANCE = new OutputStreamSink();

        @Override
        public void write(int b) {
        }

        @Override
        public void write(byte[] b, int off, int len) {
        }
    }
}
