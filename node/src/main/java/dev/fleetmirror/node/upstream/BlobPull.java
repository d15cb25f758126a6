package dev.fleetmirror.node.upstream;

import dev.fleetmirror.core.digest.Digest;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;

/**
 * {@code GET /v2/<name>/blobs/<digest>}: the upstream's answer, paused, for the caller to stream
 * (a blob is never collected in memory).
 */
public record BlobPull(String repository, Digest digest) implements UpstreamOperation<HttpClientResponse> {
    @Override
    public HttpMethod method() {
        return HttpMethod.GET;
    }

    @Override
    public String path() {
        return "/v2/" + repository + "/blobs/" + digest;
    }

    @Override
    public String scope() {
        return UpstreamOperation.scopeOf(repository);
    }

    @Override
    public String description() {
        return "blob " + digest + " of " + repository;
    }

    @Override
    public Future<HttpClientResponse> read(HttpClientResponse response) {
        response.pause();
        return Future.succeededFuture(response);
    }
}
