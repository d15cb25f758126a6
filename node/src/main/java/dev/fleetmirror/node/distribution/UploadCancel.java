package dev.fleetmirror.node.distribution;

import dev.fleetmirror.node.http.Endpoint;
import dev.fleetmirror.node.http.Exchange;
import io.vertx.core.Future;

/** {@code DELETE /v2/<name>/blobs/uploads/<id>}: abandons an upload and what it stored. */
final class UploadCancel implements Endpoint {
    @Override
    public Future<Void> handle(Exchange exchange) {
        String id = Parameters.uploadId(exchange.tail());
        return exchange.services().workers().run(() -> {
            exchange.services().registry().uploads().cancel(exchange.repo(), id);
            return null;
        }).compose(v -> exchange.endEmpty(204));
    }
}
