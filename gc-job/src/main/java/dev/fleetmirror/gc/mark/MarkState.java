package dev.fleetmirror.gc.mark;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.name.RepositoryName;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.Queue;

/**
 * What the mark found while the registry was still read-write, handed to the short read-only
 * window: the marked digests, the blobs the listing found unmarked (the candidates), the layer
 * links to unmarked blobs, and (with {@code deleteUntagged}) the manifests no tag reached.
 * Everything per blob is 32 bytes and a size; paths are rebuilt from digests when deleted.
 */
public final class MarkState {
    public final List<RepositoryName> repositories;
    public final ReferenceIndex index;
    public final DigestSet marked = new DigestSet(1 << 16);
    /** Every blob the listing found and did not mark (candidates and spared ones alike). */
    public final DigestSet unmarkedPresent = new DigestSet();
    /** Untagged manifests to unlink, by repository ({@code deleteUntagged}). */
    public final Map<RepositoryName, List<Digest>> untagged = new ConcurrentHashMap<>();
    /** Layer links found pointing at blobs the mark did not mark. */
    public final Queue<String> unmarkedLinks = new ConcurrentLinkedQueue<>();
    private final Candidates candidates = new Candidates();
    public long manifestsMarked;
    public long blobsSpared;
    public long blobsRecent;
    public long markMillis;

    public MarkState(List<RepositoryName> repositories, ReferenceIndex index) {
        this.repositories = repositories;
        this.index = index;
    }

    public void candidate(String hex, long size) {
        candidates.add(hex, size);
    }

    public Candidates candidates() {
        return candidates;
    }

    /** Unmarked blobs old enough to go, as 32 bytes and a size each. */
    public static final class Candidates {
        private final List<long[]> digests = new ArrayList<>();
        private final List<Long> sizes = new ArrayList<>();

        synchronized void add(String hex, long size) {
            digests.add(DigestSet.parse(hex));
            sizes.add(size);
        }

        public synchronized int size() {
            return digests.size();
        }

        public synchronized long[] digest(int i) {
            return digests.get(i);
        }

        public synchronized long bytes(int i) {
            return sizes.get(i);
        }
    }
}
