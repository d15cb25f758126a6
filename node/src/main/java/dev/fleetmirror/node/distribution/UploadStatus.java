package dev.fleetmirror.node.distribution;

import dev.fleetmirror.node.http.Endpoint;
import dev.fleetmirror.node.http.Exchange;
import io.vertx.core.Future;

/** {@code GET /v2/<name>/blobs/uploads/<id>}: how much of an upload is stored, so a client can resume. */
final class UploadStatus implements Endpoint {
    @Override
    public Future<Void> handle(Exchange exchange) {
        String id = Parameters.uploadId(exchange.tail());
        return exchange.services().workers().run(() -> {
            try (var session = exchange.services().registry().uploads().resume(exchange.repo(), id)) {
                return session.size();
            }
        }).compose(size -> {
            UploadTransfer.describe(exchange.response(), exchange.repo(), id, size);
            return exchange.endEmpty(204);
        });
    }
}
