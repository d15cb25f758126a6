package dev.fleetmirror.node.upstream;

import dev.fleetmirror.core.digest.Digest;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;

/** {@code HEAD /v2/<name>/blobs/<digest>}: whether the upstream has the blob, and its size. Never downloads it. */
public record BlobCheck(String repository, Digest digest) implements BlobRequest<Long> {
    @Override
    public HttpMethod method() {
        return HttpMethod.HEAD;
    }

    @Override
    public Future<Long> read(HttpClientResponse response) {
        response.end();
        String length = response.getHeader("Content-Length");
        try {
            return Future.succeededFuture(Long.parseLong(length == null ? "" : length.trim()));
        } catch (NumberFormatException e) {
            return Future.failedFuture(new MalformedAnswer(description() + " (no Content-Length)"));
        }
    }
}
