package dev.fleetmirror.node.distribution;

import dev.fleetmirror.core.name.Reference;
import dev.fleetmirror.core.error.ErrorCode;
import dev.fleetmirror.core.error.RegistryException;
import dev.fleetmirror.node.api.ApiHeaders;
import dev.fleetmirror.node.http.BodyEndpoint;
import dev.fleetmirror.node.http.Exchange;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;

/**
 * {@code PUT /v2/<name>/manifests/<reference>}. Manifests are small documents that must be parsed
 * whole, so the body is buffered, up to {@link #MAX_BYTES}; a larger one is refused with 413
 * SIZE_INVALID as soon as its Content-Length or its bytes show it, before storage is touched.
 */
final class ManifestPut implements BodyEndpoint {
    static final int MAX_BYTES = 4 * 1024 * 1024;

    @Override
    public Future<Void> handle(Exchange exchange) {
        Reference reference = Parameters.reference(exchange.tail());
        exchange.header("Content-Length").ifPresent(ManifestPut::checkDeclaredLength);
        String contentType = exchange.header("Content-Type").map(t -> t.split(";", 2)[0].trim()).orElse("");
        return readBody(exchange.request())
                .compose(body -> exchange.services().workers().run(() ->
                        exchange.services().registry().manifests().put(exchange.repo(), reference, contentType, body)))
                .compose(result -> {
                    exchange.response()
                            .putHeader("Location", "/v2/" + exchange.repo() + "/manifests/" + result.digest())
                            .putHeader(ApiHeaders.CONTENT_DIGEST, result.digest().toString());
                    result.subject().ifPresent(s -> exchange.response().putHeader(ApiHeaders.OCI_SUBJECT, s.toString()));
                    return exchange.endEmpty(201);
                });
    }

    private static void checkDeclaredLength(String value) {
        try {
            if (Long.parseLong(value.trim()) > MAX_BYTES) {
                throw tooLarge();
            }
        } catch (NumberFormatException e) {
            throw new RegistryException(ErrorCode.SIZE_INVALID, "Content-Length '" + value + "' is not a number");
        }
    }

    private static Future<byte[]> readBody(HttpServerRequest request) {
        Promise<byte[]> body = Promise.promise();
        Buffer buffer = Buffer.buffer();
        request.handler(chunk -> {
            if (buffer.length() + chunk.length() > MAX_BYTES) {
                body.tryFail(tooLarge());
            } else if (!body.future().isComplete()) {
                buffer.appendBuffer(chunk);
            }
        });
        request.exceptionHandler(body::tryFail);
        request.endHandler(v -> body.tryComplete(buffer.getBytes()));
        request.resume();
        return body.future();
    }

    private static RegistryException tooLarge() {
        return new RegistryException(ErrorCode.SIZE_INVALID,
                "manifest exceeds the limit of " + MAX_BYTES + " bytes", null, 413, null);
    }
}
