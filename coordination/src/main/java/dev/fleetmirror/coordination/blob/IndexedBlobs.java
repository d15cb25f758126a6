package dev.fleetmirror.coordination.blob;

import dev.fleetmirror.coordination.blob.BlobIndex.Known;
import dev.fleetmirror.coordination.blob.BlobIndex.RepositoryBlobs;
import dev.fleetmirror.coordination.blob.BlobIndex.StoredData;
import dev.fleetmirror.core.concurrent.SingleFlight;
import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.registry.BlobDescriptor;
import dev.fleetmirror.core.registry.Blobs;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Stored blobs with the cluster's {@link BlobIndex} in front: a stat the index can answer (linked
 * with its size, or not linked) touches no storage, so a warm GET's only storage request is the
 * data read. Any other stat goes to storage and teaches the index what it found, absence included.
 * Every link write or removal through here goes to storage first and then starts the repository's
 * next generation, even when it failed part way; upload commits do the same through
 * {@link IndexedUploads}.
 *
 * <p>Concurrent stats of one blob that the index cannot answer make one storage lookup on this
 * member: a fleet's clients pull one layer at once right after a push or a sweep started a new
 * generation, and each reading the link itself cost one S3 GET per client.
 */
public final class IndexedBlobs implements Blobs {
    private final Blobs stored;
    private final BlobIndex index;
    /** Storage lookups in flight on this member, until their answer is in the index. */
    private final SingleFlight<Lookup, Optional<BlobDescriptor>> lookups = new SingleFlight<>();

    /**
     * A stat of {@code digest} in {@code repo} under the generations {@code known} read: a request
     * that read newer generations (after a write started them) never joins a lookup begun before
     * the write, whose answer is filed under generations nobody reads any more.
     */
    private record Lookup(RepositoryName repo, Digest digest, RepositoryBlobs known) {
    }

    public IndexedBlobs(Blobs stored, BlobIndex index) {
        this.stored = stored;
        this.index = index;
    }

    @Override
    public Optional<BlobDescriptor> stat(RepositoryName repo, Digest digest) {
        RepositoryBlobs known = index.of(repo);
        Optional<Known> remembered = known.get(digest);
        if (remembered.isPresent()) {
            return remembered.get() instanceof Known.Linked linked
                    ? Optional.of(new BlobDescriptor(digest, linked.size())) : Optional.empty();
        }
        return lookUp(new Lookup(repo, digest, known));
    }

    /**
     * Storage's answer, from the lookup of the same key in flight here or from a new one, which
     * teaches the index. Callers are on worker threads (as {@link BlobIndex} requires); waiting for
     * another's lookup blocks one as its own stat would have. Joiners fail as the lookup did:
     * storage trouble is not worth a lookup per waiting client.
     */
    private Optional<BlobDescriptor> lookUp(Lookup lookup) {
        return lookups.run(lookup, () -> {
            Optional<BlobDescriptor> found = stored.stat(lookup.repo(), lookup.digest());
            lookup.known().learn(lookup.digest(),
                    found.<Known>map(blob -> new Known.Linked(blob.size())).orElseGet(Known.Absent::new));
            return found;
        });
    }

    @Override
    public InputStream open(Digest digest, long offset) {
        return stored.open(digest, offset);
    }

    @Override
    public Optional<Path> localFile(Digest digest) {
        return stored.localFile(digest);
    }

    @Override
    public Optional<URI> redirectUrl(Digest digest) {
        return stored.redirectUrl(digest);
    }

    @Override
    public Optional<BlobDescriptor> mount(RepositoryName target, RepositoryName from, Digest digest) {
        try {
            return stored.mount(target, from, digest);
        } finally {
            index.changed(target);
        }
    }

    @Override
    public Optional<BlobDescriptor> linkStored(RepositoryName repo, Digest digest) {
        try {
            return stored.linkStored(repo, digest);
        } finally {
            index.changed(repo);
        }
    }

    @Override
    public boolean dataStored(Digest digest) {
        StoredData data = index.data();
        if (data.has(digest)) {
            return true;
        }
        // Absence is not remembered: a fill stores data before it links it anywhere.
        boolean found = stored.dataStored(digest);
        if (found) {
            data.learn(digest);
        }
        return found;
    }

    @Override
    public void delete(RepositoryName repo, Digest digest) {
        try {
            stored.delete(repo, digest);
        } finally {
            index.changed(repo);
        }
    }
}
