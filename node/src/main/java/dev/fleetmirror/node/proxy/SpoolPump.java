package dev.fleetmirror.node.proxy;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.fill.Spool;
import dev.fleetmirror.node.http.BoundedDrain;
import dev.fleetmirror.node.upstream.UpstreamException;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import java.security.MessageDigest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies an upstream response body into a spool through a {@link BoundedDrain}: chunks are appended
 * (and hashed) in batches on a worker; the upstream is paused while more than {@link #HIGH_WATER}
 * bytes wait. At the end the bytes must hash to the digest (and match the announced length) before
 * the spool is completed; otherwise it fails, and with it every reader. Lives on the upstream's
 * event loop.
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
        BoundedDrain drain = new BoundedDrain(response, HIGH_WATER, LOW_WATER,
                batch -> writers.executeBlocking(batch, false),
                bytes -> {
                    spool.append(bytes, 0, bytes.length);
                    hash.update(bytes);
                },
                e -> UpstreamException.unreachable(upstream, e));
        drain.start().onComplete(result -> {
            if (result.succeeded()) {
                verify(result.result());
            } else {
                fail(result.cause(), drain);
            }
        });
    }

    private void verify(long received) {
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

    private void fail(Throwable cause, BoundedDrain drain) {
        LOG.warn("fetching {} from {} failed after {} bytes: {}", digest, upstream, drain.received(), cause.getMessage());
        spool.fail(cause);
        if (!drain.ended()) {
            response.request().reset();
        }
    }
}
