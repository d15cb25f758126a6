package dev.fleetmirror.node.fill;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.error.ErrorCode;
import dev.fleetmirror.core.error.RegistryException;
import dev.fleetmirror.node.admin.PeerAccess;
import dev.fleetmirror.node.api.ApiHeaders;
import dev.fleetmirror.node.http.BlobStreamer;
import dev.fleetmirror.node.api.ErrorResponses;
import dev.fleetmirror.node.http.StorageWorkers;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.Optional;

/**
 * The member side of {@link PeerProtocol}: streams a blob this member is filling, from the offset
 * the caller already has, as the fill receives it. The last byte leaves only once the fill verified
 * the digest, exactly as for this member's own clients.
 */
public final class PeerFillEndpoint implements Handler<HttpServerRequest> {
    /** For a node that mirrors nothing: it never fills, so every peer request finds no fill. */
    public static final Handler<HttpServerRequest> NOTHING_FILLED = request -> {
        request.response().putHeader(PeerProtocol.FILL_HEADER, PeerProtocol.NO_FILL);
        ErrorResponses.send(request, new RegistryException(ErrorCode.BLOB_UNKNOWN, "this node mirrors nothing"));
    };

    private final InFlightFills fills;
    private final StorageWorkers workers;
    private final Optional<String> secret;

    public PeerFillEndpoint(InFlightFills fills, StorageWorkers workers, Optional<String> secret) {
        this.fills = fills;
        this.workers = workers;
        this.secret = secret;
    }

    @Override
    public void handle(HttpServerRequest request) {
        try {
            serve(request);
        } catch (RuntimeException e) {
            ErrorResponses.send(request, e);
        }
    }

    private void serve(HttpServerRequest request) {
        if (!PeerAccess.permits(request, secret)) {
            throw new RegistryException(ErrorCode.UNAUTHORIZED, "peer requests: " + PeerAccess.requirement(secret),
                    null, 401, null);
        }
        if (request.method() != HttpMethod.GET || !request.path().startsWith(PeerProtocol.BLOBS)) {
            throw new RegistryException(ErrorCode.UNSUPPORTED, "no peer endpoint " + request.method() + " "
                    + request.path(), null, 404, null);
        }
        Digest digest = Digest.parse(request.path().substring(PeerProtocol.BLOBS.length()));
        long offset = offset(request.getParam("offset"));
        HttpServerResponse response = request.response();
        workers.run(() -> fills.tail(digest, offset)).onComplete(found -> {
            if (found.failed() && !(found.cause() instanceof AlreadyStored)) {
                ErrorResponses.send(request, found.cause());
            } else if (found.failed() || found.result().isEmpty()) {
                response.putHeader(PeerProtocol.FILL_HEADER, PeerProtocol.NO_FILL);
                ErrorResponses.send(request, new RegistryException(ErrorCode.BLOB_UNKNOWN,
                        "this member fills no " + digest));
            } else {
                stream(request, found.result().get(), offset);
            }
        });
    }

    private void stream(HttpServerRequest request, InFlightFills.Tail tail, long offset) {
        HttpServerResponse response = request.response();
        if (tail.size() < 0 || offset > tail.size()) {
            close(tail);
            ErrorResponses.send(request, new RegistryException(ErrorCode.RANGE_INVALID, tail.size() < 0
                    ? "the source of this blob did not say its size; it cannot be tailed"
                    : "offset " + offset + " is past the blob's " + tail.size() + " bytes"));
            return;
        }
        long length = tail.size() - offset;
        response.setStatusCode(200)
                .putHeader("Content-Type", ApiHeaders.OCTET_STREAM)
                .putHeader("Content-Length", Long.toString(length))
                .putHeader(PeerProtocol.BLOB_SIZE_HEADER, Long.toString(tail.size()));
        BlobStreamer.send(response, workers, tail::reader, length)
                .onFailure(failure -> {
                    if (!response.headWritten()) {
                        ErrorResponses.send(request, failure);
                    }
                });
    }

    private static void close(InFlightFills.Tail tail) {
        try {
            tail.reader().close();
        } catch (java.io.IOException e) {
            // a spool reader's close does no I/O
        }
    }

    private static long offset(String value) {
        try {
            long offset = value == null ? 0 : Long.parseLong(value);
            if (offset >= 0) {
                return offset;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new RegistryException(ErrorCode.RANGE_INVALID, "offset '" + value + "' is not a byte offset");
    }
}
