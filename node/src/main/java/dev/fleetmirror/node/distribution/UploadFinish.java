package dev.fleetmirror.node.distribution;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.error.ErrorCode;
import dev.fleetmirror.core.error.RegistryException;
import dev.fleetmirror.node.http.BodyEndpoint;
import dev.fleetmirror.node.http.Exchange;
import io.vertx.core.Future;
import java.util.Optional;

/**
 * {@code PUT /v2/<name>/blobs/uploads/<id>?digest=}: appends an optional last chunk and completes
 * the upload; on a digest mismatch core removes the upload and stores nothing.
 */
final class UploadFinish implements BodyEndpoint {

    @Override
    public Future<Void> handle(Exchange exchange) {
        String id = Parameters.uploadId(exchange.tail());
        Digest digest = Parameters.digest(exchange.query("digest").orElseThrow(() -> new RegistryException(
                ErrorCode.DIGEST_INVALID, "the digest query parameter is required to complete an upload")));
        return UploadTransfer.resume(exchange, id, Optional.of(digest))
                .compose(outcome -> UploadTransfer.created(exchange, digest));
    }
}
