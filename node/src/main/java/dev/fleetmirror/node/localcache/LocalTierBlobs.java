package dev.fleetmirror.node.localcache;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.registry.BlobDescriptor;
import dev.fleetmirror.core.registry.Blobs;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Blobs with a local-disk tier: a blob the endpoint would stream from remote storage is sent from
 * its local copy when there is one, and otherwise copied to local disk for the next request. Only
 * the data comes from the copy; whether the repository holds the blob is still asked first (the
 * endpoint stats before it asks for a file) of the cluster's blob index, which every unlink, delete
 * and GC sweep on any member invalidates, so a deleted or unlinked blob is never served from a
 * leftover copy, and a warm GET from the copy makes no storage request at all.
 */
public final class LocalTierBlobs implements Blobs {
    private final Blobs inner;
    private final Blobs stored;
    private final LocalBlobCache cache;

    /**
     * @param inner  the blobs clients are served (a pull-through cache's, or storage's)
     * @param stored storage's own blobs, where a copy is read from once the blob is stored
     */
    public LocalTierBlobs(Blobs inner, Blobs stored, LocalBlobCache cache) {
        this.inner = inner;
        this.stored = stored;
        this.cache = cache;
    }

    @Override
    public Optional<Path> localFile(Digest digest) {
        Optional<Path> local = inner.localFile(digest);
        if (local.isPresent()) {
            return local;
        }
        Optional<Path> copy = cache.file(digest);
        if (copy.isEmpty()) {
            // Read back from storage: a blob still being filled is not there yet, and its copy fails quietly.
            cache.offer(digest, () -> stored.open(digest, 0));
        }
        return copy;
    }

    @Override
    public Optional<BlobDescriptor> stat(RepositoryName repo, Digest digest) {
        return inner.stat(repo, digest);
    }

    @Override
    public Optional<BlobDescriptor> statForPull(RepositoryName repo, Digest digest) {
        return inner.statForPull(repo, digest);
    }

    @Override
    public InputStream open(Digest digest, long offset) {
        return inner.open(digest, offset);
    }

    @Override
    public InputStream open(RepositoryName repo, Digest digest, long offset) {
        return inner.open(repo, digest, offset);
    }

    @Override
    public Optional<URI> redirectUrl(Digest digest) {
        return inner.redirectUrl(digest);
    }

    @Override
    public Optional<BlobDescriptor> mount(RepositoryName target, RepositoryName from, Digest digest) {
        return inner.mount(target, from, digest);
    }

    @Override
    public boolean dataStored(Digest digest) {
        return inner.dataStored(digest);
    }

    @Override
    public Optional<BlobDescriptor> linkStored(RepositoryName repo, Digest digest) {
        return inner.linkStored(repo, digest);
    }

    @Override
    public void delete(RepositoryName repo, Digest digest) {
        inner.delete(repo, digest);
    }
}
