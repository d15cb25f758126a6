package dev.fleetmirror.node.distribution;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.node.http.Endpoint;
import dev.fleetmirror.node.http.Exchange;
import io.vertx.core.Future;

/** {@code DELETE /v2/<name>/blobs/<digest>}: unlinks the blob from the repository. */
final class BlobDelete implements Endpoint {
    @Override
    public Future<Void> handle(Exchange exchange) {
        DeletePolicy.requireEnabled(exchange);
        Digest digest = Parameters.digest(exchange.tail());
        return exchange.services().workers().run(() -> {
            exchange.services().registry().blobs().delete(exchange.repo(), digest);
            return null;
        }).compose(v -> exchange.endEmpty(202));
    }
}
