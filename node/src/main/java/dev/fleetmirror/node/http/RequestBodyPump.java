package dev.fleetmirror.node.http;

import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import java.util.function.UnaryOperator;

/**
 * Streams a request body into a blocking sink without holding it in memory (a {@link BoundedDrain}
 * on the request's {@link SerialQueue}): the request is paused while more than {@link #HIGH_WATER}
 * bytes wait and resumed below {@link #LOW_WATER}. The request must have been paused before any
 * asynchronous step so that no chunk is lost.
 */
public final class RequestBodyPump {
    static final int HIGH_WATER = 4 * 1024 * 1024;
    static final int LOW_WATER = 1024 * 1024;

    private RequestBodyPump() {
    }

    /** Streams the whole body into {@code sink}; completes with the number of bytes written. */
    public static Future<Long> pump(HttpServerRequest request, SerialQueue queue, BodySink sink) {
        return new BoundedDrain(request, HIGH_WATER, LOW_WATER, queue::submit,
                bytes -> sink.write(bytes, 0, bytes.length), UnaryOperator.identity()).start();
    }
}
