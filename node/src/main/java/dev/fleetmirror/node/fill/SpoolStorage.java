package dev.fleetmirror.node.fill;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.registry.BlobDescriptor;
import dev.fleetmirror.core.registry.UploadSession;
import dev.fleetmirror.core.registry.Uploads;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The storage writer of a fill: copies the spool through the ordinary upload path, so the blob
 * becomes visible only when {@link UploadSession#complete} found that its bytes hash to the digest.
 * Whatever goes wrong, the upload is cancelled and nothing is stored.
 */
public final class SpoolStorage {
    private static final int CHUNK = 1024 * 1024;

    private SpoolStorage() {
    }

    /** Blocks until the spool ended (or failed); reads it from {@code spool} and closes it. */
    public static BlobDescriptor store(Uploads uploads, RepositoryName repo, Digest digest, InputStream spool) {
        UploadSession session = uploads.start(repo);
        boolean completed = false;
        try (spool) {
            byte[] buffer = new byte[CHUNK];
            for (int n; (n = spool.read(buffer)) >= 0; ) {
                session.write(buffer, 0, n);
            }
            BlobDescriptor stored = session.complete(digest);
            completed = true;
            return stored;
        } catch (IOException e) {
            throw new UncheckedIOException("storing " + digest + " from its spool failed", e);
        } finally {
            String id = session.id();
            session.close();
            if (!completed) {
                cancelQuietly(uploads, repo, id);
            }
        }
    }

    private static void cancelQuietly(Uploads uploads, RepositoryName repo, String id) {
        try {
            uploads.cancel(repo, id);
        } catch (RuntimeException e) {
            // complete() already removed it, or storage is down: upload purging collects the rest
        }
    }
}
