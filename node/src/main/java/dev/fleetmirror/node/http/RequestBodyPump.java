package dev.fleetmirror.node.http;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import java.util.ArrayList;
import java.util.List;

/**
 * Streams a request body into a blocking sink without holding it in memory: chunks are queued on
 * the event loop and written in batches on the request's {@link SerialQueue}; the request is
 * paused while more than {@link #HIGH_WATER} bytes wait and resumed below {@link #LOW_WATER}.
 * Lives on the request's event loop; the request must have been paused before any asynchronous
 * step so that no chunk is lost.
 */
public final class RequestBodyPump {
    static final int HIGH_WATER = 4 * 1024 * 1024;
    static final int LOW_WATER = 1024 * 1024;

    private final HttpServerRequest request;
    private final SerialQueue queue;
    private final BodySink sink;
    private final Promise<Long> done = Promise.promise();
    private final List<Buffer> pending = new ArrayList<>();
    private long queued;
    private long received;
    private boolean writing;
    private boolean paused = true;
    private boolean ended;
    private boolean failed;

    private RequestBodyPump(HttpServerRequest request, SerialQueue queue, BodySink sink) {
        this.request = request;
        this.queue = queue;
        this.sink = sink;
    }

    /** Streams the whole body into {@code sink}; completes with the number of bytes written. */
    public static Future<Long> pump(HttpServerRequest request, SerialQueue queue, BodySink sink) {
        RequestBodyPump pump = new RequestBodyPump(request, queue, sink);
        pump.start();
        return pump.done.future();
    }

    private void start() {
        request.handler(this::onChunk);
        request.exceptionHandler(this::fail);
        request.endHandler(v -> {
            ended = true;
            finishIfDone();
        });
        paused = false;
        request.resume();
    }

    private void onChunk(Buffer chunk) {
        if (failed) {
            return;
        }
        pending.add(chunk);
        queued += chunk.length();
        received += chunk.length();
        if (!paused && queued >= HIGH_WATER) {
            paused = true;
            request.pause();
        }
        flush();
    }

    private void flush() {
        if (writing || failed || pending.isEmpty()) {
            return;
        }
        writing = true;
        List<Buffer> batch = List.copyOf(pending);
        pending.clear();
        long batchBytes = batch.stream().mapToLong(Buffer::length).sum();
        queue.submit(() -> {
            for (Buffer buffer : batch) {
                byte[] bytes = buffer.getBytes();
                sink.write(bytes, 0, bytes.length);
            }
            return null;
        }).onComplete(result -> {
            writing = false;
            queued -= batchBytes;
            if (result.failed()) {
                fail(result.cause());
                return;
            }
            if (paused && queued <= LOW_WATER && !failed) {
                paused = false;
                request.resume();
            }
            flush();
            finishIfDone();
        });
    }

    private void finishIfDone() {
        if (ended && !writing && pending.isEmpty() && !failed) {
            done.tryComplete(received);
        }
    }

    private void fail(Throwable cause) {
        if (failed) {
            return;
        }
        failed = true;
        pending.clear();
        done.tryFail(cause);
    }
}
