package dev.fleetmirror.node.proxy;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.fill.Spool;
import dev.fleetmirror.node.upstream.UpstreamException;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies an upstream response body into a spool: chunks queue on the event loop and are appended
 * (and hashed) in batches, one batch at a time, on a worker; the upstream is paused while more than
 * {@link #HIGH_WATER} bytes wait. At the end the bytes must hash to the digest (and match the
 * announced length) before the spool is completed; otherwise it fails, and with it every reader.
 * Lives on the upstream's event loop. (A queue, not a chain of futures: a chain as long as the
 * chunks waiting would unwind recursively on failure.)
 */
final class SpoolPump {
    private static final Logger LOG = LoggerFactory.getLogger(SpoolPump.class);
    static final int HIGH_WATER = 8 * 1024 * 1024;
    static final int LOW_WATER = 2 * 1024 * 1024;

    private final HttpClientResponse response;
    private final Spool spool;
    private final Digest digest;
    private final long announced;
    private final String upstream;
    private final WorkerExecutor writers;
    private final MessageDigest hash;
    private final ArrayDeque<Buffer> pending = new ArrayDeque<>();
    private long queued;
    private long received;
    private boolean writing;
    private boolean paused;
    private boolean ended;
    private boolean done;

    SpoolPump(HttpClientResponse response, Spool spool, Digest digest, long announced, String upstream, WorkerExecutor writers) {
        this.response = response;
        this.spool = spool;
        this.digest = digest;
        this.announced = announced;
        this.upstream = upstream;
        this.writers = writers;
        this.hash = digest.algorithm().newMessageDigest();
    }

    void start() {
        response.handler(this::onChunk);
        response.exceptionHandler(e -> fail(UpstreamException.unreachable(upstream, e)));
        response.endHandler(v -> {
            ended = true;
            flush();
        });
        response.resume();
    }

    private void onChunk(Buffer chunk) {
        if (done) {
            return;
        }
        pending.add(chunk);
        queued += chunk.length();
        received += chunk.length();
        if (!paused && queued >= HIGH_WATER) {
            paused = true;
            response.pause();
        }
        flush();
    }

    private void flush() {
        if (writing || done) {
            return;
        }
        if (pending.isEmpty()) {
            if (ended) {
                verify();
            }
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
        writers.<Void>executeBlocking(() -> {
            for (byte[] bytes : batch) {
                spool.append(bytes, 0, bytes.length);
                hash.update(bytes);
            }
            return null;
        }, false).onComplete(result -> {
            writing = false;
            queued -= written;
            if (result.failed()) {
                fail(result.cause());
                return;
            }
            if (paused && queued <= LOW_WATER && !done) {
                paused = false;
                response.resume();
            }
            flush();
        });
    }

    private void verify() {
        done = true;
        Digest actual = Digest.of(digest.algorithm(), hash.digest());
        if (announced >= 0 && received != announced) {
            spool.fail(UpstreamException.corrupt(upstream, "blob " + digest + " was announced with " + announced
                    + " bytes but " + received + " arrived"));
        } else if (!actual.equals(digest)) {
            LOG.warn("upstream {} served {} bytes for {} that hash to {}; nothing is cached and every waiting"
                    + " client fails", upstream, received, digest, actual);
            spool.fail(UpstreamException.corrupt(upstream, "blob " + digest + " hashes to " + actual));
        } else {
            spool.complete();
        }
    }

    private void fail(Throwable cause) {
        if (done) {
            return;
        }
        done = true;
        pending.clear();
        LOG.warn("fetching {} from {} failed after {} bytes: {}", digest, upstream, received, cause.getMessage());
        spool.fail(cause);
        if (!ended) {
            response.request().reset();
        }
    }
}
