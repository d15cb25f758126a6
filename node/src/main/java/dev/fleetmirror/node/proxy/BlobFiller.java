package dev.fleetmirror.node.proxy;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.fill.Fill;
import dev.fleetmirror.core.fill.Spool;
import dev.fleetmirror.core.fill.SpoolStorage;
import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.registry.Uploads;
import dev.fleetmirror.node.upstream.BlobPull;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpClientResponse;
import java.io.InputStream;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The owner side of a blob fill on this node: one upstream GET, streamed into a spool file (from
 * which every waiting client reads) and, through a second reader of that spool, into storage by the
 * ordinary upload path. Nothing here depends on who is waiting: a client that leaves changes
 * nothing, the blob is still stored.
 */
final class BlobFiller {
    private static final Logger LOG = LoggerFactory.getLogger(BlobFiller.class);

    private final Uploads uploads;
    private final Path spoolDirectory;
    private final WorkerExecutor spoolWriters;
    private final WorkerExecutor storageWriters;

    /**
     * @param uploads        storage's own uploads (not the proxy's, which refuse mirrored repositories)
     * @param spoolWriters   short file appends
     * @param storageWriters one long task per fill, blocked while the upstream sends
     */
    BlobFiller(Uploads uploads, Path spoolDirectory, WorkerExecutor spoolWriters, WorkerExecutor storageWriters) {
        this.uploads = uploads;
        this.spoolDirectory = spoolDirectory;
        this.spoolWriters = spoolWriters;
        this.storageWriters = storageWriters;
    }

    /** Starts the fill and returns at once; called by the in-flight registry for the first request only. */
    Fill start(Route route, RepositoryName repo, Digest digest) {
        Fill fill = new Fill(digest, Spool.create(spoolDirectory));
        LOG.debug("fetching {} of {} from {}", digest, route.remoteName(), route.upstream().name());
        route.upstream().fill(new BlobPull(route.remoteName(), digest)).onComplete(answered -> {
            if (answered.failed()) {
                fill.spool().fail(answered.cause());
                fill.started().completeExceptionally(answered.cause());
                fill.finished().complete(null);
                return;
            }
            // The upstream's concurrent-fill slot is held for the whole fill, storing included.
            fill.finished().whenComplete((done, failure) -> answered.result().release());
            HttpClientResponse response = answered.result().answer();
            long size = contentLength(response);
            InputStream toStorage = fill.spool().reader(0);
            fill.started().complete(size);
            storageWriters.executeBlocking(() -> SpoolStorage.store(uploads, repo, digest, toStorage), false)
                    .onComplete(stored -> {
                        if (stored.succeeded()) {
                            LOG.info("cached {} of {} from {} ({} bytes)", digest, repo, route.upstream().name(),
                                    stored.result().size());
                        } else {
                            LOG.warn("{} of {} from {} was not cached: {}", digest, repo, route.upstream().name(),
                                    stored.cause().getMessage());
                        }
                        fill.finished().complete(null);
                    });
            new SpoolPump(response, fill.spool(), digest, size, route.upstream().name(), spoolWriters).start();
        });
        return fill;
    }

    private static long contentLength(HttpClientResponse response) {
        String value = response.getHeader("Content-Length");
        try {
            return value == null ? -1 : Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
