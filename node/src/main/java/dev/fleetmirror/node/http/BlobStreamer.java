package dev.fleetmirror.node.http;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.Callable;

/**
 * Copies a blocking {@link InputStream} (an S3 object, anything without a local file) into a
 * response: each chunk is read on a storage worker and written on the event loop, waiting for the
 * drain handler whenever the response's write queue is full, so a slow client holds back the
 * reads instead of filling the heap. The stream is closed when the copy ends, fails, or the client
 * goes away.
 */
public final class BlobStreamer {
    static final int CHUNK = 128 * 1024;

    private final HttpServerResponse response;
    private final SerialQueue queue;
    private final Promise<Void> done = Promise.promise();
    private InputStream in;
    private long remaining;
    private boolean clientGone;
    private boolean awaitingDrain;

    private BlobStreamer(HttpServerResponse response, SerialQueue queue, long length) {
        this.response = response;
        this.queue = queue;
        this.remaining = length;
    }

    /**
     * Opens the stream on a worker and sends exactly {@code length} bytes of it; headers (status,
     * Content-Length) must already be set.
     */
    public static Future<Void> send(HttpServerResponse response, StorageWorkers workers, Callable<InputStream> open,
                                    long length) {
        BlobStreamer streamer = new BlobStreamer(response, workers.serial(), length);
        streamer.queue.submit(open).onComplete(opened -> {
            if (opened.failed()) {
                streamer.done.fail(opened.cause());
                return;
            }
            streamer.in = opened.result();
            response.closeHandler(v -> streamer.onClientGone());
            streamer.next();
        });
        return streamer.done.future();
    }

    /** A client that leaves while we wait for drain would otherwise leave the stream open forever. */
    private void onClientGone() {
        clientGone = true;
        if (awaitingDrain) {
            awaitingDrain = false;
            next();
        }
    }

    private void next() {
        if (clientGone) {
            closeStream();
            done.tryFail(new IOException("client closed the connection"));
            return;
        }
        if (remaining == 0) {
            closeStream();
            response.end().onComplete(done);
            return;
        }
        int want = (int) Math.min(CHUNK, remaining);
        queue.submit(() -> read(want)).onComplete(read -> {
            if (read.failed() || read.result().length() == 0) {
                closeStream();
                // Headers promised a length we can no longer deliver: the client must see a broken body.
                response.reset();
                done.tryFail(read.failed() ? read.cause() : new IOException("blob data ended " + remaining + " bytes early"));
                return;
            }
            Buffer chunk = read.result();
            remaining -= chunk.length();
            response.write(chunk);
            if (response.writeQueueFull()) {
                awaitingDrain = true;
                response.drainHandler(v -> {
                    if (awaitingDrain) {
                        awaitingDrain = false;
                        next();
                    }
                });
            } else {
                next();
            }
        });
    }

    private Buffer read(int want) {
        byte[] bytes = new byte[want];
        int filled = 0;
        try {
            while (filled < want) {
                int n = in.read(bytes, filled, want - filled);
                if (n < 0) {
                    break;
                }
                filled += n;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Buffer.buffer(filled == want ? bytes : java.util.Arrays.copyOf(bytes, filled));
    }

    private void closeStream() {
        InputStream stream = in;
        in = null;
        if (stream != null) {
            queue.submit(() -> {
                stream.close();
                return null;
            });
        }
    }
}
