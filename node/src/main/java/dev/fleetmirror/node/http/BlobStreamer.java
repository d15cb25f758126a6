package dev.fleetmirror.node.http;

import io.netty.buffer.Unpooled;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.internal.buffer.BufferInternal;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;

/**
 * Copies a blocking {@link InputStream} (an S3 object, anything without a local file) into a
 * response. One download worker runs the whole copy: it reads the next chunk while the event loop
 * is still writing the previous ones, which is what makes a remote read keep up with the client.
 *
 * <p>Memory is bounded by a fixed set of {@value #CHUNKS_IN_FLIGHT} chunk arrays per download: the
 * reader fills a free one, hands it to the response's context, and the array comes back only when
 * the socket write of it completed. A client that reads slowly or not at all therefore stops the
 * reader after {@value #CHUNKS_IN_FLIGHT} chunks instead of filling the heap; one that goes away
 * stops it at once, and the storage stream is closed (an S3 body is aborted, not drained).
 */
public final class BlobStreamer {
    /** Below half a G1 region even at small heaps, so a chunk is never a humongous allocation. */
    static final int CHUNK = 256 * 1024;
    /** 2 MiB per download: 16 slow downloads hold 32 MiB of heap at most. */
    static final int CHUNKS_IN_FLIGHT = 8;
    /** Put into the free queue to wake a reader waiting for an array when the copy must stop. */
    private static final byte[] WAKE = new byte[0];

    private final HttpServerResponse response;
    private final Context context;
    private final int chunkSize;
    private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(CHUNKS_IN_FLIGHT + 1);
    /** Completed on {@link #context} only. */
    private final Promise<Void> done = Promise.promise();
    private volatile boolean stopped;
    /** Arrays created so far; touched by the reader thread only. */
    private int allocated;

    private BlobStreamer(HttpServerResponse response, Context context, long length) {
        this.response = response;
        this.context = context;
        this.chunkSize = (int) Math.max(1, Math.min(CHUNK, length));
    }

    /**
     * Opens the stream on a download worker and sends exactly {@code length} bytes of it; headers
     * (status, Content-Length) must already be set. Call on the request's context. The future fails
     * without anything written when the stream cannot be opened or fails before its first byte, so
     * the caller can still answer with an error; a failure after that resets the response (the
     * client sees a broken body).
     */
    public static Future<Void> send(HttpServerResponse response, StorageWorkers workers, Callable<InputStream> open,
                                    long length) {
        Context context = Objects.requireNonNull(Vertx.currentContext(), "BlobStreamer.send outside a Vert.x context");
        BlobStreamer streamer = new BlobStreamer(response, context, length);
        ResponseEnd.onClose(response, streamer::stop);
        workers.download(() -> {
            streamer.copy(open, length);
            return null;
        });
        return streamer.done.future();
    }

    private void stop() {
        stopped = true;
        free.offer(WAKE);
    }

    /** The reader loop, on a download worker. */
    private void copy(Callable<InputStream> open, long length) {
        InputStream in;
        try {
            in = open.call();
        } catch (Throwable e) {
            context.runOnContext(v -> done.tryFail(e));
            return;
        }
        Throwable failure = null;
        try {
            long remaining = length;
            while (remaining > 0) {
                byte[] chunk = nextFreeChunk();
                if (chunk == null) {
                    // The client went away (or its socket failed): nothing to report but at debug level.
                    failure = new io.vertx.core.http.HttpClosedException("client closed the connection");
                    break;
                }
                int filled = readFully(in, chunk, (int) Math.min(chunk.length, remaining));
                if (filled == 0) {
                    throw new IOException("blob data ended " + remaining + " bytes early");
                }
                remaining -= filled;
                hand(chunk, filled);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure = e;
        } catch (Throwable e) {
            failure = e;
        } finally {
            closeQuietly(in);
        }
        Throwable cause = failure;
        context.runOnContext(v -> finish(cause));
    }

    /** Closed whatever happened: a body that was all sent must not turn into a reset response. */
    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException | RuntimeException e) {
            // The copy's outcome is already decided; an S3 stream that fails to abort is dropped anyway.
        }
    }

    /** A free array, a new one while fewer than the bound exist, or null once the copy must stop. */
    private byte[] nextFreeChunk() throws InterruptedException {
        if (stopped) {
            return null;
        }
        byte[] chunk = free.poll();
        if (chunk == null && allocated < CHUNKS_IN_FLIGHT) {
            allocated++;
            return new byte[chunkSize];
        }
        if (chunk == null) {
            chunk = free.take();
        }
        return chunk == WAKE || stopped ? null : chunk;
    }

    private static int readFully(InputStream in, byte[] chunk, int want) throws IOException {
        int filled = 0;
        while (filled < want) {
            int n = in.read(chunk, filled, want - filled);
            if (n < 0) {
                break;
            }
            filled += n;
        }
        return filled;
    }

    /** Writes the chunk on the response's context; the array is free again once the socket took it. */
    private void hand(byte[] chunk, int length) {
        context.runOnContext(v -> {
            if (stopped) {
                free.offer(chunk);
                return;
            }
            Future<Void> written;
            try {
                // Wrapped, not copied: Buffer.buffer(byte[]) would copy every chunk once more.
                written = response.write(BufferInternal.buffer(Unpooled.wrappedBuffer(chunk, 0, length)));
            } catch (IllegalStateException closed) {
                written = Future.failedFuture(closed);
            }
            written.onComplete(w -> {
                if (w.failed()) {
                    stop();
                }
                free.offer(chunk);
            });
        });
    }

    /** On the response's context, after every chunk handed over has been passed to the response. */
    private void finish(Throwable failure) {
        if (failure == null) {
            response.end().onComplete(done);
        } else if (stopped || !response.headWritten()) {
            // Nothing sent yet: the caller can still answer with an error status.
            done.tryFail(failure);
        } else {
            // Headers promised a length we can no longer deliver: the client must see a broken body.
            response.reset();
            done.tryFail(failure);
        }
    }
}
