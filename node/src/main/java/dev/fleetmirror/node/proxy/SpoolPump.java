package dev.fleetmirror.node.proxy;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.fill.Spool;
import dev.fleetmirror.node.upstream.UpstreamException;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import java.security.MessageDigest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies an upstream response body into a spool: appends (and hashing) run one after another on a
 * worker, the upstream is paused while more than {@link #HIGH_WATER} bytes wait, and at the end the
 * bytes must hash to the digest (and match the announced length) before the spool is completed; on
 * a mismatch it fails, and with it every reader. Lives on the upstream's event loop.
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
    private Future<Void> tail = Future.succeededFuture();
    private long queued;
    private long received;
    private boolean paused;
    private boolean failed;
    private boolean ended;

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
            tail.onComplete(written -> {
                if (written.succeeded()) {
                    verify();
                }
            });
        });
        response.resume();
    }

    private void onChunk(Buffer chunk) {
        if (failed) {
            return;
        }
        int length = chunk.length();
        queued += length;
        received += length;
        if (!paused && queued >= HIGH_WATER) {
            paused = true;
            response.pause();
        }
        byte[] bytes = chunk.getBytes();
        tail = tail.compose(v -> writers.<Void>executeBlocking(() -> {
            spool.append(bytes, 0, bytes.length);
            hash.update(bytes);
            return null;
        }, false)).andThen(written -> {
            queued -= length;
            if (written.failed()) {
                fail(written.cause());
            } else if (paused && queued <= LOW_WATER && !failed) {
                paused = false;
                response.resume();
            }
        });
    }

    private void verify() {
        Digest actual = Digest.of(digest.algorithm(), hash.digest());
        if (announced >= 0 && received != announced) {
            fail(UpstreamException.corrupt(upstream, "blob " + digest + " was announced with " + announced
                    + " bytes but " + received + " arrived"));
        } else if (!actual.equals(digest)) {
            LOG.warn("upstream {} served {} bytes for {} that hash to {}; nothing is cached and every waiting"
                    + " client fails", upstream, received, digest, actual);
            fail(UpstreamException.corrupt(upstream, "blob " + digest + " hashes to " + actual));
        } else {
            spool.complete();
        }
    }

    private void fail(Throwable cause) {
        if (failed) {
            return;
        }
        failed = true;
        spool.fail(cause);
        if (!ended) {
            response.request().reset();
        }
    }
}
