package dev.fleetmirror.coordination.manifest;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.name.Reference;
import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.name.Tag;
import dev.fleetmirror.core.registry.ManifestPutResult;
import dev.fleetmirror.core.registry.Manifests;
import dev.fleetmirror.core.registry.StoredManifest;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Stored manifests with the cluster's {@link ManifestIndex} in front: a read the index can answer
 * (the tag's target, the manifest held in the repository, its bytes in this member's memory)
 * touches no storage; any other read goes to storage and teaches the index what it found. Every
 * write goes to storage first and then starts the repository's next index generation, even when it
 * failed part way, so no member serves what the write replaced. An empty answer is never
 * remembered.
 */
public final class IndexedManifests implements Manifests {
    /** Thousands of typical manifests; small beside a node's heap. */
    public static final long DEFAULT_CONTENT_BUDGET_BYTES = 16L * 1024 * 1024;

    private final Manifests stored;
    private final ManifestIndex index;
    private final ManifestContents contents;

    public IndexedManifests(Manifests stored, ManifestIndex index) {
        this(stored, index, DEFAULT_CONTENT_BUDGET_BYTES);
    }

    public IndexedManifests(Manifests stored, ManifestIndex index, long contentBudgetBytes) {
        this.stored = stored;
        this.index = index;
        this.contents = new ManifestContents(contentBudgetBytes);
    }

    @Override
    public Optional<StoredManifest> get(RepositoryName repo, Reference reference) {
        RepositoryIndex known = index.of(repo);
        Optional<Digest> digest = reference instanceof Tag tag
                ? known.target(tag)
                : Optional.of(((Reference.ByDigest) reference).digest());
        if (digest.isPresent() && known.holds(digest.get())) {
            Optional<StoredManifest> remembered = contents.get(digest.get());
            if (remembered.isPresent()) {
                return remembered;
            }
            // The index vouches for the tag's target: reading the manifest by digest spares the tag link.
            Optional<StoredManifest> byDigest = stored.get(repo, Reference.of(digest.get()));
            if (byDigest.isPresent() || reference instanceof Reference.ByDigest) {
                byDigest.ifPresent(contents::put);
                return byDigest;
            }
        }
        Optional<StoredManifest> found = stored.get(repo, reference);
        if (found.isPresent()) {
            StoredManifest manifest = found.get();
            contents.put(manifest);
            known.learnHeld(manifest.digest());
            if (reference instanceof Tag tag) {
                known.learnTarget(tag, manifest.digest());
            }
        }
        return found;
    }

    @Override
    public ManifestPutResult put(RepositoryName repo, Reference reference, String contentType, byte[] body) {
        return write(repo, () -> stored.put(repo, reference, contentType, body));
    }

    @Override
    public ManifestPutResult putFetched(RepositoryName repo, Reference reference, String contentType, byte[] body) {
        return write(repo, () -> stored.putFetched(repo, reference, contentType, body));
    }

    @Override
    public void delete(RepositoryName repo, Reference reference) {
        write(repo, () -> {
            stored.delete(repo, reference);
            return null;
        });
    }

    /** Runs a write to storage, then starts the repository's next index generation, even when the write failed. */
    private <T> T write(RepositoryName repo, Supplier<T> write) {
        try {
            return write.get();
        } finally {
            index.changed(repo);
        }
    }
}
