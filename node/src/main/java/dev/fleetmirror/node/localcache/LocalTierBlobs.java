package dev.fleetmirror.node.localcache;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.registry.BlobDescriptor;
import dev.fleetmirror.core.registry.Blobs;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Blobs with a local-disk tier: a blob the endpoint would stream from remote storage is sent from
 * its local copy when there is one. Otherwise the first GET starts the one copy from storage, and
 * it and every GET of the blob meanwhile stream by tailing that copy, so concurrent warm GETs on a
 * node read storage once. Only the data comes from the tier; whether the repository holds the blob
 * is still asked first (the endpoint stats before it opens) of the cluster's blob index, which every
 * unlink, delete and GC sweep on any member invalidates, so a deleted or unlinked blob is never
 * served from a leftover copy, and a warm GET from the copy makes no storage request at all.
 */
public final class LocalTierBlobs implements Blobs {
    private final Blobs inner;
    private final Blobs stored;
    private final LocalBlobCache cache;
    private final Predicate<Digest> filling;

    /**
     * @param inner   the blobs clients are served (a pull-through cache's, or storage's)
     * @param stored  storage's own blobs, where a copy is read from once the blob is stored
     * @param filling whether a fill of the blob is in flight on this node (its readers tail the fill,
     *                and storage is not asked about the blob meanwhile)
     */
    public LocalTierBlobs(Blobs inner, Blobs stored, LocalBlobCache cache, Predicate<Digest> filling) {
        this.inner = inner;
        this.stored = stored;
        this.cache = cache;
        this.filling = filling;
    }

    @Override
    public Optional<Path> localFile(Digest digest) {
        Optional<Path> local = inner.localFile(digest);
        return local.isPresent() ? local : cache.file(digest);
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

    /**
     * Tails the tier's copy (starting it) when storage links the blob in {@code repo}: asked of the
     * blob index the endpoint's stat has just answered from. A blob not linked yet (a fill still in
     * flight, whose readers tail the fill), one the tier cannot copy, and one the copy fails before
     * sending it are read as without the tier.
     */
    @Override
    public InputStream open(RepositoryName repo, Digest digest, long offset) {
        Optional<BlobDescriptor> linked = filling.test(digest) || inner.localFile(digest).isPresent()
                ? Optional.empty() : stored.stat(repo, digest);
        if (linked.isPresent()) {
            Optional<InputStream> tier;
            try {
                tier = cache.read(digest, linked.get().size(), offset, () -> stored.open(digest, 0));
            } catch (RuntimeException e) {
                tier = Optional.empty();
            }
            if (tier.isPresent()) {
                return new TierStream(tier.get(), offset, from -> inner.open(repo, digest, from));
            }
        }
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
