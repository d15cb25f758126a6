package dev.fleetmirror.node.upstream;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.name.Reference;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import java.util.Optional;

/**
 * {@code HEAD /v2/<name>/manifests/<reference>}: the digest a tag points at upstream now. Docker
 * Hub does not count HEADs against its pull limit, which is why tags are re-checked this way.
 */
public record ManifestCheck(String repository, Reference reference) implements ManifestRequest<Optional<Digest>> {
    @Override
    public HttpMethod method() {
        return HttpMethod.HEAD;
    }

    /** Empty when the upstream does not say (then the manifest must be fetched to know). */
    @Override
    public Future<Optional<Digest>> read(HttpClientResponse response) {
        response.end();
        return Future.succeededFuture(ManifestRequest.claimedDigest(response.getHeader("Docker-Content-Digest")));
    }
}
