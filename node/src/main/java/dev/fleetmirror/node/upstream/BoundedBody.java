package dev.fleetmirror.node.upstream;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;

/**
 * Reads a small upstream answer (a manifest, an index) whole, up to a bound: a longer one fails as
 * a {@link MalformedAnswer} and its request is reset, so no upstream can make a node buffer more.
 */
final class BoundedBody {
    private BoundedBody() {
    }

    static Future<Buffer> read(HttpClientResponse response, int maxBytes, String description) {
        Promise<Buffer> result = Promise.promise();
        Buffer body = Buffer.buffer();
        response.handler(chunk -> {
            if (body.length() + chunk.length() > maxBytes) {
                result.tryFail(new MalformedAnswer(description + " (larger than " + maxBytes + " bytes)"));
                response.request().reset();
            } else {
                body.appendBuffer(chunk);
            }
        });
        response.exceptionHandler(result::tryFail);
        response.endHandler(v -> result.tryComplete(body));
        return result.future();
    }
}
