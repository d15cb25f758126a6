package dev.fleetmirror.node.upstream;

import dev.fleetmirror.core.digest.Digest;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;

/**
 * {@code GET /v2/<name>/blobs/<digest>}: the upstream's answer, paused, for the caller to stream
 * (a blob is never collected in memory).
 */
public record BlobPull(String repository, Digest digest) implements BlobRequest<HttpClientResponse> {
    @Override
    public HttpMethod method() {
        return HttpMethod.GET;
    }

    @Override
    public Future<HttpClientResponse> read(HttpClientResponse response) {
        response.pause();
        return Future.succeededFuture(response);
    }
}
