package dev.fleetmirror.coordination.manifest;

import dev.fleetmirror.core.name.RepositoryName;

/**
 * What storage said about each repository's manifests (where a tag points, which manifests the
 * repository holds), shared by the members, so that a hot manifest or tag read needs no storage
 * round trip. Only what storage confirmed is remembered; absence never is, so a manifest pushed on
 * one member is visible on every member at once.
 *
 * <p>Each repository's knowledge belongs to a generation. {@link #changed} starts a new one, and
 * with it forgets everything learnt about the repository, on every member at once (the generation
 * is read from its owner, never from a stale copy). What a member learns under a generation it
 * read before a change is filed under that old generation, where nobody looks, so a read racing a
 * write cannot bring back what the write replaced. Generations also end by themselves after a
 * while, which bounds how long a write that bypassed these services (another registry on the same
 * bucket, an offline tool) can go unseen.
 *
 * <p>Methods may block briefly on the network: call them on worker threads.
 */
public interface ManifestIndex {

    /** The current generation's knowledge of {@code repo}. */
    RepositoryIndex of(RepositoryName repo);

    /** Forgets everything known about {@code repo}; call after every write to its manifests or tags. */
    void changed(RepositoryName repo);
}
