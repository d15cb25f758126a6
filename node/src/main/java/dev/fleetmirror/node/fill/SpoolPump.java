package dev.fleetmirror.node.fill;

import dev.fleetmirror.node.http.BoundedDrain;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpClientResponse;
import java.security.MessageDigest;
import java.util.function.UnaryOperator;

/**
 * Copies one source's response body (the upstream's, or a peer's) onto the end of a spool through
 * a {@link BoundedDrain}: chunks are appended, and fed to the fill's running hash, in batches on a
 * worker; the source is paused while more than {@link #HIGH_WATER} bytes wait. It neither completes
 * nor fails the spool: the fill decides, since a broken source may be followed by another that
 * continues where this one stopped. Lives on the source's event loop.
 */
final class SpoolPump {
    static final int HIGH_WATER = 8 * 1024 * 1024;
    static final int LOW_WATER = 2 * 1024 * 1024;

    private final HttpClientResponse response;
    private final Spool spool;
    private final MessageDigest hash;
    private final UnaryOperator<Throwable> sourceFailure;
    private final WorkerExecutor writers;
    private long skip;

    /**
     * @param skip          leading bytes of the body to drop (the spool has them already: a source
     *                      that ignored our {@code Range} sends the blob from its start)
     * @param sourceFailure what a failure of the response stream is reported as
     */
    SpoolPump(HttpClientResponse response, Spool spool, MessageDigest hash, long skip,
              UnaryOperator<Throwable> sourceFailure, WorkerExecutor writers) {
        this.response = response;
        this.spool = spool;
        this.hash = hash;
        this.skip = skip;
        this.sourceFailure = sourceFailure;
        this.writers = writers;
    }

    /**
     * Drains the (paused) response; completes once every byte is in the spool, or fails once no
     * append is running any more, having reset a response that had not ended.
     */
    Future<Void> start() {
        BoundedDrain drain = new BoundedDrain(response, HIGH_WATER, LOW_WATER,
                batch -> writers.executeBlocking(batch, false), this::append, sourceFailure);
        return drain.start().<Void>mapEmpty().onFailure(cause -> {
            if (!drain.ended()) {
                response.request().reset();
            }
        });
    }

    private void append(byte[] bytes) {
        int from = (int) Math.min(skip, bytes.length);
        skip -= from;
        if (from < bytes.length) {
            spool.append(bytes, from, bytes.length - from);
            hash.update(bytes, from, bytes.length - from);
        }
    }
}
