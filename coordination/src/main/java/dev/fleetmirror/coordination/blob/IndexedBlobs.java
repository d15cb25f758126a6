package dev.fleetmirror.coordination.blob;

import dev.fleetmirror.coordination.blob.BlobIndex.Known;
import dev.fleetmirror.coordination.blob.BlobIndex.RepositoryBlobs;
import dev.fleetmirror.coordination.blob.BlobIndex.StoredData;
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
 */
public final class IndexedBlobs implements Blobs {
    private final Blobs stored;
    private final BlobIndex index;

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
        Optional<BlobDescriptor> found = stored.stat(repo, digest);
        known.learn(digest, found.<Known>map(blob -> new Known.Linked(blob.size())).orElseGet(Known.Absent::new));
        return found;
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
