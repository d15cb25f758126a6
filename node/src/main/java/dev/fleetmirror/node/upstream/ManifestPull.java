package dev.fleetmirror.node.upstream;

import dev.fleetmirror.core.manifest.ManifestParser;
import dev.fleetmirror.core.name.Reference;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import java.util.Optional;

/** {@code GET /v2/<name>/manifests/<reference>}: the bytes, at most the 4 MiB a manifest may have. */
public record ManifestPull(String repository, Reference reference) implements ManifestRequest<FetchedManifest> {
    @Override
    public HttpMethod method() {
        return HttpMethod.GET;
    }

    @Override
    public Future<FetchedManifest> read(HttpClientResponse response) {
        Promise<FetchedManifest> result = Promise.promise();
        Buffer body = Buffer.buffer();
        response.handler(chunk -> {
            if (body.length() + chunk.length() > ManifestParser.MAX_MANIFEST_BYTES) {
                result.tryFail(new MalformedAnswer(description() + " (larger than "
                        + ManifestParser.MAX_MANIFEST_BYTES + " bytes)"));
                response.request().reset();
            } else {
                body.appendBuffer(chunk);
            }
        });
        response.exceptionHandler(result::tryFail);
        response.endHandler(v -> {
            String type = Optional.ofNullable(response.getHeader("Content-Type")).map(t -> t.split(";", 2)[0].trim()).orElse("");
            result.tryComplete(new FetchedManifest(body.getBytes(), type, ManifestRequest.claimedDigest(response.getHeader("Docker-Content-Digest"))));
        });
        return result.future();
    }
}
