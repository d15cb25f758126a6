package dev.fleetmirror.node.upstream;

import dev.fleetmirror.core.manifest.ManifestParser;
import dev.fleetmirror.core.name.Reference;
import io.vertx.core.Future;
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
        return BoundedBody.read(response, ManifestParser.MAX_MANIFEST_BYTES, description()).map(body -> {
            String type = Optional.ofNullable(response.getHeader("Content-Type")).map(t -> t.split(";", 2)[0].trim()).orElse("");
            return new FetchedManifest(body.getBytes(), type, ManifestRequest.claimedDigest(response.getHeader("Docker-Content-Digest")));
        });
    }
}
