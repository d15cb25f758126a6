package dev.fleetmirror.coordination.blob;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.name.RepositoryName;
import java.util.Optional;

/**
 * What storage said about blobs, shared by the members, so that a warm blob GET asks storage
 * nothing before it reads the data: whether a repository links a digest (and the blob's size), or
 * that it does not (negative entries), and whether data is stored under a digest at all.
 *
 * <p>Knowledge is filed under two generations, as the manifest index files it under one: the
 * repository's, which every write to its blob links starts anew ({@link #changed}), and the
 * cluster's, which the garbage collector and mode switches start anew ({@link #changedEverywhere})
 * because they delete data and links of any repository behind the services' backs. Generations are
 * read from their owner on every use (never from a stale copy), so a link written or removed
 * through one member is seen by every member on its next request; what a member learns under a
 * generation it read before a change is filed where nobody looks any more. Generations also end by
 * themselves after a while, which bounds how long a write that bypassed the services can go unseen.
 *
 * <p>Knowledge is keyed by repository: it answers only for the repository asked about, which the
 * caller has already been allowed to read. Methods may block briefly on the network: call them on
 * worker threads.
 *
 * <p>No media type is kept: what a client sees of a blob is its digest, size and bytes, with
 * {@code Content-Type: application/octet-stream} on every blob GET and HEAD, as Distribution
 * answers for every stored blob (its blob statter never knows another type). The media type of a
 * layer lives in the manifest that references it, which clients read first.
 */
public interface BlobIndex {

    /** What storage said about a digest in one repository, in the current generations. */
    sealed interface Known {
        /** Linked in the repository, with its data stored: {@code size} bytes. */
        record Linked(long size) implements Known {
        }

        /** Not linked in the repository, or linked without data. */
        record Absent() implements Known {
        }
    }

    /** The current generations of what is known about {@code repo}'s blobs. */
    RepositoryBlobs of(RepositoryName repo);

    /** Forgets what is known about {@code repo}'s blob links; call after every write to them. */
    void changed(RepositoryName repo);

    /** Forgets everything, on every member: after data or links were removed in any repository. */
    void changedEverywhere();

    /**
     * The current cluster generation's knowledge of stored data, whatever links it. Only presence
     * is remembered: data appears without any link changing (a fill stores it before linking), but
     * it disappears only by garbage collection, which starts a new cluster generation.
     */
    StoredData data();

    /** Which digests have data in storage, as of the cluster generation read when it was asked for. */
    interface StoredData {
        /** True when storage showed data under {@code digest} in this generation. */
        boolean has(Digest digest);

        void learn(Digest digest);
    }

    /**
     * One repository's knowledge, as of the generations read when it was asked for. Two views of
     * one repository are equal when they read the same generations, so lookups of storage made
     * under equal views would teach the same knowledge and may share one answer; after a change,
     * a new view is never equal to one read before it.
     */
    interface RepositoryBlobs {
        Optional<Known> get(Digest digest);

        void learn(Digest digest, Known known);
    }
}
