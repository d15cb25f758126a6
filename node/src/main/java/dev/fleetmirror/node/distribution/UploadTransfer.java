package dev.fleetmirror.node.distribution;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.registry.BlobDescriptor;
import dev.fleetmirror.core.error.ErrorCode;
import dev.fleetmirror.core.error.RegistryException;
import dev.fleetmirror.core.registry.UploadSession;
import dev.fleetmirror.node.api.ApiHeaders;
import dev.fleetmirror.node.http.ContentRange;
import dev.fleetmirror.node.http.Exchange;
import dev.fleetmirror.node.http.RequestBodyPump;
import dev.fleetmirror.node.http.SerialQueue;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerResponse;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * The part every upload request shares: open the session, check the chunk's Content-Range
 * against what is stored, stream the body into it, optionally complete it under a digest, and
 * always close it. All session calls go through one {@link SerialQueue}, so a session is only ever
 * touched by one thread at a time.
 */
final class UploadTransfer {

    /** What the request left behind: the upload's id and size, and the blob if it was completed. */
    record Outcome(String uploadId, long size, Optional<BlobDescriptor> blob) {
    }

    private UploadTransfer() {
    }

    /** {@link #run} on the existing session {@code uploadId} of the request's repository (PATCH and PUT). */
    static Future<Outcome> resume(Exchange exchange, String uploadId, Optional<Digest> completeAs) {
        return run(exchange, () -> exchange.services().registry().uploads().resume(exchange.repo(), uploadId), completeAs);
    }

    static Future<Outcome> run(Exchange exchange, Callable<UploadSession> open, Optional<Digest> completeAs) {
        SerialQueue queue = exchange.services().workers().serial();
        return queue.submit(open).compose(session -> {
            Future<Outcome> work = queue.submit(session::size)
                    .compose(size -> {
                        Optional<Long> expectedLength = checkContentRange(exchange, session, size);
                        return RequestBodyPump.pump(exchange.request(), queue, session::write).map(received -> {
                            if (expectedLength.isPresent() && expectedLength.get().longValue() != received.longValue()) {
                                throw new RegistryException(ErrorCode.BLOB_UPLOAD_INVALID, "Content-Range announced "
                                        + expectedLength.get() + " bytes but the body had " + received);
                            }
                            return received;
                        });
                    })
                    .compose(received -> queue.submit(() -> new Outcome(session.id(), session.size(),
                            completeAs.isPresent() ? Optional.of(session.complete(completeAs.get())) : Optional.empty())));
            return work.transform(result -> queue.submit(() -> {
                session.close();
                return null;
            }).transform(closed -> {
                if (result.failed()) {
                    return Future.failedFuture(result.cause());
                }
                return closed.failed() ? Future.failedFuture(closed.cause()) : Future.succeededFuture(result.result());
            }));
        });
    }

    /**
     * A chunk must start where the upload ends (else 416 with the current range, nothing written)
     * and its range must agree with its Content-Length.
     *
     * @return the chunk length the Content-Range announces, if any
     */
    private static Optional<Long> checkContentRange(Exchange exchange, UploadSession session, long size) {
        Optional<String> header = exchange.header("Content-Range");
        if (header.isEmpty()) {
            return Optional.empty();
        }
        long[] range = chunkRange(header.get());
        long start = range[0];
        long end = range[1];
        if (start != size || end < start) {
            describe(exchange.response(), exchange.repo(), session.id(), size);
            throw new RegistryException(ErrorCode.RANGE_INVALID, "chunk " + start + "-" + end
                    + " does not continue upload " + session.id() + ", which has " + size + " bytes; send from offset " + size);
        }
        long length = end - start + 1;
        Optional<String> contentLength = exchange.header("Content-Length");
        if (contentLength.isPresent()) {
            try {
                if (Long.parseLong(contentLength.get().trim()) != length) {
                    throw new RegistryException(ErrorCode.SIZE_INVALID, "Content-Range " + start + "-" + end + " is "
                            + length + " bytes but Content-Length is " + contentLength.get());
                }
            } catch (NumberFormatException e) {
                throw new RegistryException(ErrorCode.SIZE_INVALID, "Content-Length '" + contentLength.get() + "' is not a number");
            }
        }
        return Optional.of(length);
    }

    /**
     * The {@code start} and {@code end} of a chunk's {@code Content-Range} ({@code <start>-<end>},
     * optionally {@code bytes } before and {@code /<size>} after).
     *
     * @throws RegistryException BLOB_UPLOAD_INVALID when it is not of that form or out of range
     */
    static long[] chunkRange(String header) {
        ContentRange range = ContentRange.ofChunk(header).orElseThrow(() -> new RegistryException(
                ErrorCode.BLOB_UPLOAD_INVALID, "Content-Range '" + header + "' is not of the form <start>-<end>"));
        return new long[] {range.first(), range.last()};
    }

    /** Location, Range and Docker-Upload-UUID of an upload in progress. */
    static void describe(HttpServerResponse response, RepositoryName repo, String uploadId, long size) {
        response.putHeader("Location", "/v2/" + repo + "/blobs/uploads/" + uploadId)
                .putHeader("Range", "0-" + Math.max(0, size - 1))
                .putHeader(ApiHeaders.UPLOAD_UUID, uploadId);
    }

    /** 201 for a blob that is now in the repository. */
    static Future<Void> created(Exchange exchange, Digest digest) {
        // Under the write permit still: the GC keeps the blob for the push's manifest to come.
        return exchange.services().workers().run(() -> {
            exchange.services().pushes().stored(exchange.repo(), digest);
            return null;
        }).compose(recorded -> answerCreated(exchange, digest));
    }

    private static Future<Void> answerCreated(Exchange exchange, Digest digest) {
        exchange.response().putHeader("Location", "/v2/" + exchange.repo() + "/blobs/" + digest)
                .putHeader(ApiHeaders.CONTENT_DIGEST, digest.toString());
        return exchange.endEmpty(201);
    }
}
