package dev.fleetmirror.node.upstream;

import dev.fleetmirror.core.digest.Digest;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import java.util.Map;

/**
 * {@code GET /v2/<name>/blobs/<digest>}, from {@code offset} on (a {@code Range} request, which an
 * upstream may ignore and answer with the whole blob): the upstream's answer, paused, for the caller
 * to stream (a blob is never collected in memory).
 */
public record BlobPull(String repository, Digest digest, long offset) implements BlobRequest<HttpClientResponse> {

    public BlobPull(String repository, Digest digest) {
        this(repository, digest, 0);
    }

    @Override
    public HttpMethod method() {
        return HttpMethod.GET;
    }

    @Override
    public Map<String, String> headers() {
        return offset > 0 ? Map.of("Range", "bytes=" + offset + "-") : Map.of();
    }

    @Override
    public Future<HttpClientResponse> read(HttpClientResponse response) {
        response.pause();
        return Future.succeededFuture(response);
    }
}
