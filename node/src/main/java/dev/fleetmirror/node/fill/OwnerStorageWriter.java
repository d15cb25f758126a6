package dev.fleetmirror.node.fill;

import dev.fleetmirror.coordination.mode.WritePermit;
import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.name.RepositoryName;
import io.vertx.core.Future;
import java.io.InputStream;
import java.io.OutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fill owner's side towards storage: reads the spool from its start and stores the blob
 * ({@link SpoolStorage}, which makes it visible only once verified) under a write permit. In a GC's
 * short read-only window it waits for the permit as pushes do; while the cluster stays read-only
 * (maintenance) it reads the spool through without storing, so the fill still ends and its clients
 * get every byte. Its {@link FillFeeder} releases the lease only after this is done, so a new
 * claimer finds the blob stored.
 */
final class OwnerStorageWriter {
    private static final Logger LOG = LoggerFactory.getLogger(OwnerStorageWriter.class);

    private OwnerStorageWriter() {
    }

    /** Starts writing {@code fill} to storage; the future says whether the blob was stored, and never fails. */
    static Future<Boolean> start(Fill fill, RepositoryName repo, String upstream, FillSources sources) {
        InputStream reader = fill.spool().reader(0);
        return sources.writes().acquireHeld(sources.context().owner(), "storing a cache fill").transform(held -> held.failed()
                ? passThrough(reader, fill.digest(), repo, upstream, sources)
                : store(held.result(), reader, fill.digest(), repo, upstream, sources));
    }

    private static Future<Boolean> passThrough(InputStream reader, Digest digest, RepositoryName repo, String upstream,
                                               FillSources sources) {
        return sources.storageWriters().executeBlocking(() -> {
            try (reader) {
                return reader.transferTo(OutputStream.nullOutputStream());
            }
        }, false).transform(passed -> {
            if (passed.succeeded()) {
                LOG.info("served {} of {} from {} without caching it: storage is read-only", digest, repo, upstream);
            }
            return Future.succeededFuture(false);
        });
    }

    private static Future<Boolean> store(WritePermit permit, InputStream reader, Digest digest, RepositoryName repo,
                                         String upstream, FillSources sources) {
        return sources.storageWriters().executeBlocking(() -> {
            try (WritePermit held = permit) {
                return SpoolStorage.store(sources.uploads(), repo, digest, reader);
            }
        }, false).transform(stored -> {
            if (stored.succeeded()) {
                LOG.info("cached {} of {} from {} ({} bytes)", digest, repo, upstream, stored.result().size());
            } else {
                LOG.warn("{} of {} from {} was not cached: {}", digest, repo, upstream, stored.cause().getMessage());
            }
            return Future.succeededFuture(stored.succeeded());
        });
    }
}
