package dev.fleetmirror.node.distribution;

import dev.fleetmirror.node.http.Endpoint;
import dev.fleetmirror.node.http.Exchange;
import io.vertx.core.Future;

/** {@code DELETE /v2/<name>/blobs/<digest>}: unlinks the blob from the repository. */
final class BlobDelete implements Endpoint {
    @Override
    public Future<Void> handle(Exchange exchange) {
        return DeletePolicy.delete(exchange, Parameters::digest,
                (registry, digest) -> registry.blobs().delete(exchange.repo(), digest));
    }
}
