package dev.fleetmirror.node.distribution;

import dev.fleetmirror.node.api.ApiHeaders;
import dev.fleetmirror.node.http.Endpoint;
import dev.fleetmirror.node.http.Exchange;
import io.vertx.core.Future;

/** {@code GET /v2/}: tells clients this is a v2 registry (and, later, whether they must authenticate). */
final class BaseCheck implements Endpoint {
    @Override
    public Future<Void> handle(Exchange exchange) {
        return JsonBodies.send(exchange, 200, ApiHeaders.JSON, JsonBodies.object());
    }
}
