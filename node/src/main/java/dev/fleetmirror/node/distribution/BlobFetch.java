package dev.fleetmirror.node.distribution;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.registry.BlobDescriptor;
import dev.fleetmirror.core.registry.Blobs;
import dev.fleetmirror.core.error.ErrorCode;
import dev.fleetmirror.core.error.RegistryException;
import dev.fleetmirror.node.api.ApiHeaders;
import dev.fleetmirror.node.http.BlobStreamer;
import dev.fleetmirror.node.http.RequestId;
import dev.fleetmirror.node.http.ByteRange;
import dev.fleetmirror.node.http.Endpoint;
import dev.fleetmirror.node.http.Exchange;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerResponse;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code GET|HEAD /v2/<name>/blobs/<digest>}, with single byte ranges. Data leaves by the cheapest
 * way the backend offers: a 307 to the backend (when redirects are enabled), zero-copy
 * {@code sendFile} from a local file, or a back-pressured stream.
 */
final class BlobFetch implements Endpoint {

    private record Source(BlobDescriptor blob, Optional<URI> redirect, Optional<Path> file) {
    }

    @Override
    public Future<Void> handle(Exchange exchange) {
        Digest digest = Parameters.digest(exchange.tail());
        Blobs blobs = exchange.services().registry().blobs();
        boolean mayRedirect = !exchange.isHead() && !exchange.services().redirectDisabled();
        return exchange.services().workers().run(() -> {
            // A push's HEAD: the GC hears of it first, and a blob its sweep is deleting is unknown already.
            Optional<BlobDescriptor> found = exchange.isHead()
                    ? exchange.services().pushes().mayConfirm(exchange.repo(), digest)
                            ? blobs.stat(exchange.repo(), digest) : Optional.empty()
                    : blobs.statForPull(exchange.repo(), digest);
            BlobDescriptor blob = found.orElseThrow(() -> new RegistryException(
                    ErrorCode.BLOB_UNKNOWN, "blob " + digest + " is not in repository " + exchange.repo()));
            Optional<URI> redirect = mayRedirect ? blobs.redirectUrl(digest) : Optional.empty();
            Optional<Path> file = redirect.isPresent() || exchange.isHead() ? Optional.empty() : blobs.localFile(digest);
            return new Source(blob, redirect, file);
        }).compose(source -> send(exchange, source));
    }

    private Future<Void> send(Exchange exchange, Source source) {
        HttpServerResponse response = exchange.response();
        Digest digest = source.blob().digest();
        long size = source.blob().size();
        response.putHeader(ApiHeaders.CONTENT_DIGEST, digest.toString());
        if (source.redirect().isPresent()) {
            response.putHeader("Location", source.redirect().get().toString());
            return exchange.endEmpty(307);
        }
        response.putHeader("Accept-Ranges", "bytes");
        ByteRange.Request range = ByteRange.parse(exchange.header("Range"), size);
        long offset = 0;
        long length = size;
        if (range instanceof ByteRange.Request.Unsatisfiable) {
            response.putHeader("Content-Range", "bytes */" + size);
            throw new RegistryException(ErrorCode.RANGE_INVALID, "range " + exchange.header("Range").orElse("")
                    + " is outside blob " + digest + " of " + size + " bytes");
        } else if (range instanceof ByteRange.Request.Partial partial) {
            offset = partial.range().first();
            length = partial.range().length();
            response.setStatusCode(206).putHeader("Content-Range", partial.range().contentRange(size));
        } else {
            response.setStatusCode(200);
        }
        response.putHeader("Content-Type", ApiHeaders.OCTET_STREAM)
                .putHeader("Content-Length", Long.toString(length));
        if (exchange.isHead()) {
            return response.end();
        }
        if (source.file().isPresent()) {
            return response.sendFile(source.file().get().toString(), offset, length);
        }
        long from = offset;
        Blobs blobs = exchange.services().registry().blobs();
        // Opening may start a fill: its upstream request carries this request's id.
        Optional<String> id = RequestId.of(response);
        return BlobStreamer.send(response, exchange.services().workers(),
                () -> RequestId.within(id, () -> blobs.open(exchange.repo(), digest, from)), length);
    }
}
