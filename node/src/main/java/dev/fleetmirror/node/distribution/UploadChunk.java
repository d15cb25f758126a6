package dev.fleetmirror.node.distribution;

import dev.fleetmirror.node.http.BodyEndpoint;
import dev.fleetmirror.node.http.Exchange;
import io.vertx.core.Future;
import java.util.Optional;

/** {@code PATCH /v2/<name>/blobs/uploads/<id>}: appends one chunk (streamed) to an upload. */
final class UploadChunk implements BodyEndpoint {

    @Override
    public Future<Void> handle(Exchange exchange) {
        String id = Parameters.uploadId(exchange.tail());
        return UploadTransfer.resume(exchange, id, Optional.empty())
                .compose(outcome -> {
                    UploadTransfer.describe(exchange.response(), exchange.repo(), outcome.uploadId(), outcome.size());
                    return exchange.endEmpty(202);
                });
    }
}
