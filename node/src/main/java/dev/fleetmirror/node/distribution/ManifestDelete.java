package dev.fleetmirror.node.distribution;

import dev.fleetmirror.node.http.Endpoint;
import dev.fleetmirror.node.http.Exchange;
import io.vertx.core.Future;

/** {@code DELETE /v2/<name>/manifests/<reference>}: by digest the manifest and its tags, by tag the tag. */
final class ManifestDelete implements Endpoint {
    @Override
    public Future<Void> handle(Exchange exchange) {
        return DeletePolicy.delete(exchange, Parameters::existingReference,
                (registry, reference) -> registry.manifests().delete(exchange.repo(), reference));
    }
}
