package dev.fleetmirror.core.registry.stored;

import dev.fleetmirror.core.name.RepositoryName;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The running SHA-256 of the uploads this node wrote to last, so that the next request of a chunked
 * push landing on the same node continues hashing where the previous one stopped. The JDK's digest
 * (with SHA instructions) is several times faster than any digest whose state could be saved to
 * storage, and keeping it here costs nothing but a re-read at completion when the upload moved
 * between nodes.
 *
 * <p>Each digest is handed over, never shared: {@link #take} removes it, so two requests of the
 * same upload at once cannot update one instance; the one that finds nothing re-hashes from
 * storage. An entry only counts for the exact size it covers: uploads only ever grow, so equal
 * size means the same bytes. Bounded in count and idle time, because clients abandon uploads
 * without cancelling them.
 */
final class RunningHashes {
    static final int DEFAULT_MAX_ENTRIES = 4096;
    static final Duration DEFAULT_IDLE_LIMIT = Duration.ofHours(1);

    private record Key(RepositoryName repo, String uploadId) {
    }

    private record Entry(long size, MessageDigest digest, Instant keptAt) {
    }

    private final int maxEntries;
    private final Duration idleLimit;
    private final InstantSource clock;
    /** In the order entries were kept, oldest first, since every use removes and re-adds. */
    private final LinkedHashMap<Key, Entry> entries = new LinkedHashMap<>();

    RunningHashes(int maxEntries, Duration idleLimit, InstantSource clock) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be positive: " + maxEntries);
        }
        this.maxEntries = maxEntries;
        this.idleLimit = idleLimit;
        this.clock = clock;
    }

    static RunningHashes withDefaults() {
        return new RunningHashes(DEFAULT_MAX_ENTRIES, DEFAULT_IDLE_LIMIT, InstantSource.system());
    }

    /** Removes and returns the digest of the upload's first {@code size} bytes, if this node has it. */
    synchronized Optional<MessageDigest> take(RepositoryName repo, String uploadId, long size) {
        Entry entry = entries.remove(new Key(repo, uploadId));
        if (entry == null || entry.size() != size || expired(entry, clock.instant())) {
            return Optional.empty();
        }
        return Optional.of(entry.digest());
    }

    /** Keeps the digest of the upload's first {@code size} bytes; the caller must not use it again. */
    synchronized void keep(RepositoryName repo, String uploadId, long size, MessageDigest digest) {
        Instant now = clock.instant();
        dropExpired(now);
        Key key = new Key(repo, uploadId);
        entries.remove(key);
        entries.put(key, new Entry(size, digest, now));
        if (entries.size() > maxEntries) {
            Iterator<Key> oldest = entries.keySet().iterator();
            oldest.next();
            oldest.remove();
        }
    }

    synchronized void forget(RepositoryName repo, String uploadId) {
        entries.remove(new Key(repo, uploadId));
    }

    synchronized int size() {
        return entries.size();
    }

    private void dropExpired(Instant now) {
        Iterator<Map.Entry<Key, Entry>> it = entries.entrySet().iterator();
        while (it.hasNext() && expired(it.next().getValue(), now)) {
            it.remove();
        }
    }

    private boolean expired(Entry entry, Instant now) {
        return entry.keptAt().plus(idleLimit).isBefore(now);
    }
}
