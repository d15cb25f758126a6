package dev.fleetmirror.gc.mark;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.name.RepositoryName;
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

    /**
     * The bytes the mark state's digests take on the heap: the marked and the unmarked sets'
     * tables and the candidates' (layer link paths and untagged manifests aside: they are the
     * garbage's, not the registry's).
     */
    public long digestBytes() {
        return marked.tableBytes() + unmarkedPresent.tableBytes() + candidates.tableBytes();
    }

    /**
     * Unmarked blobs old enough to go, in one flat array of five longs each (the digest's 32
     * bytes, then the size): no object per candidate, so a sweep of a million blobs holds 40 MB.
     */
    public static final class Candidates {
        private static final int WIDTH = 5;
        private long[] table = new long[WIDTH * 1024];
        private int size;

        synchronized void add(String hex, long bytes) {
            if ((size + 1) * WIDTH > table.length) {
                table = java.util.Arrays.copyOf(table, table.length * 2);
            }
            long[] digest = DigestSet.parse(hex);
            System.arraycopy(digest, 0, table, size * WIDTH, 4);
            table[size * WIDTH + 4] = bytes;
            size++;
        }

        public synchronized int size() {
            return size;
        }

        public synchronized long[] digest(int i) {
            java.util.Objects.checkIndex(i, size);
            return java.util.Arrays.copyOfRange(table, i * WIDTH, i * WIDTH + 4);
        }

        public synchronized long bytes(int i) {
            java.util.Objects.checkIndex(i, size);
            return table[i * WIDTH + 4];
        }

        synchronized long tableBytes() {
            return (long) table.length * Long.BYTES;
        }
    }
}
