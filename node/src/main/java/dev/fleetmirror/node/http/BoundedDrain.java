package dev.fleetmirror.node.http;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Drains a stream of buffers into a blocking writer without holding it in memory: chunks queue on
 * the event loop and are written in batches, one batch at a time, on a worker; the source is paused
 * while at least {@code highWater} bytes wait and resumed once at most {@code lowWater} do. Lives on
 * the source's event loop; the source must have been paused before any asynchronous step so that
 * no chunk is lost. (A queue, not a chain of futures: a chain as long as the chunks waiting would
 * unwind recursively on failure.) Shared by request-body uploads and upstream blob spooling.
 */
public final class BoundedDrain {

    /** Writes one chunk; runs on a worker thread, never on the event loop. */
    @FunctionalInterface
    public interface ChunkWriter {
        void write(byte[] bytes) throws Exception;
    }

    private final ReadStream<Buffer> source;
    private final int highWater;
    private final int lowWater;
    private final Function<Callable<Void>, Future<Void>> worker;
    private final ChunkWriter writer;
    private final UnaryOperator<Throwable> sourceFailure;
    private final Promise<Long> done = Promise.promise();
    private final ArrayDeque<Buffer> pending = new ArrayDeque<>();
    private long queued;
    private long received;
    private boolean writing;
    private boolean paused = true;
    private boolean ended;
    private boolean failed;
    private Throwable failure;

    /**
     * @param worker runs one batch of writes off the event loop (a {@link SerialQueue}, a worker pool)
     * @param sourceFailure what a failure of the source itself is reported as
     */
    public BoundedDrain(ReadStream<Buffer> source, int highWater, int lowWater, Function<Callable<Void>, Future<Void>> worker,
            ChunkWriter writer, UnaryOperator<Throwable> sourceFailure) {
        this.source = source;
        this.highWater = highWater;
        this.lowWater = lowWater;
        this.worker = worker;
        this.writer = writer;
        this.sourceFailure = sourceFailure;
    }

    /**
     * Resumes the source and drains it; completes with the number of bytes written once the source
     * ended and every byte is written, or fails with the first failure of the source or the writer.
     */
    public Future<Long> start() {
        source.handler(this::onChunk);
        source.exceptionHandler(e -> fail(sourceFailure.apply(e)));
        source.endHandler(v -> {
            ended = true;
            finishIfDone();
        });
        paused = false;
        source.resume();
        return done.future();
    }

    /** Whether the source has ended (a failed drain whose source did not may need to cancel it). */
    public boolean ended() {
        return ended;
    }

    /** Bytes received from the source so far, written or not. */
    public long received() {
        return received;
    }

    private void onChunk(Buffer chunk) {
        if (failed) {
            return;
        }
        pending.add(chunk);
        queued += chunk.length();
        received += chunk.length();
        if (!paused && queued >= highWater) {
            paused = true;
            source.pause();
        }
        flush();
    }

    private void flush() {
        if (writing || failed || pending.isEmpty()) {
            return;
        }
        writing = true;
        List<byte[]> batch = new ArrayList<>(pending.size());
        long batchBytes = 0;
        while (!pending.isEmpty()) {
            Buffer buffer = pending.poll();
            batch.add(buffer.getBytes());
            batchBytes += buffer.length();
        }
        long written = batchBytes;
        worker.apply(() -> {
            for (byte[] bytes : batch) {
                writer.write(bytes);
            }
            return null;
        }).onComplete(result -> {
            writing = false;
            queued -= written;
            if (result.failed()) {
                fail(result.cause());
                return;
            }
            if (failed) {
                done.tryFail(failure);
                return;
            }
            if (paused && queued <= lowWater && !failed) {
                paused = false;
                source.resume();
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

    /**
     * Reported only once no batch is being written, so that whoever reacts to the failure (say, by
     * resuming from another source at the bytes written so far) never races a write still running.
     */
    private void fail(Throwable cause) {
        if (failed) {
            if (!writing) {
                done.tryFail(failure);
            }
            return;
        }
        failed = true;
        failure = cause;
        pending.clear();
        if (!writing) {
            done.tryFail(cause);
        }
    }
}
