package dev.fleetmirror.node.upstream;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.digest.InvalidDigestException;
import dev.fleetmirror.core.name.Reference;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import java.util.Map;
import java.util.Optional;

/**
 * {@code HEAD /v2/<name>/manifests/<reference>}: the digest a tag points at upstream now. Docker
 * Hub does not count HEADs against its pull limit, which is why tags are re-checked this way.
 */
public record ManifestCheck(String repository, Reference reference) implements UpstreamOperation<Optional<Digest>> {
    @Override
    public HttpMethod method() {
        return HttpMethod.HEAD;
    }

    @Override
    public String path() {
        return "/v2/" + repository + "/manifests/" + reference;
    }

    @Override
    public String scope() {
        return UpstreamOperation.scopeOf(repository);
    }

    @Override
    public Map<String, String> headers() {
        return Map.of("Accept", ManifestAccept.VALUE);
    }

    @Override
    public String description() {
        return "manifest " + reference + " of " + repository;
    }

    /** Empty when the upstream does not say (then the manifest must be fetched to know). */
    @Override
    public Future<Optional<Digest>> read(HttpClientResponse response) {
        response.end();
        String header = response.getHeader("Docker-Content-Digest");
        try {
            return Future.succeededFuture(header == null ? Optional.empty() : Optional.of(Digest.parse(header.trim())));
        } catch (InvalidDigestException e) {
            return Future.succeededFuture(Optional.empty());
        }
    }
}
