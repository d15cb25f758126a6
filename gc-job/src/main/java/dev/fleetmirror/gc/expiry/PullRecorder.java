package dev.fleetmirror.gc.expiry;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.storage.StorageDriver;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Coalesces a node's manifest pulls into few storage writes. A pull is only remembered in memory
 * ({@link #pulled}, cheap and non-blocking); {@link #flush}, run periodically on a worker thread,
 * writes a manifest's time to {@link LastPulls} only when what storage holds is older than
 * {@code refreshAfter}. Before writing it reads the stored time, so that when several nodes serve the
 * same hot manifest, one write per {@code refreshAfter} suffices for the whole cluster. Expiry only
 * needs the time to within {@code refreshAfter} plus the flush interval, which
 * {@link #refreshAfter(Duration)} keeps at most 1 % of the TTL.
 *
 * <p>A failed flush keeps every entry and is retried by the next one.
 */
public final class PullRecorder {
    private static final Logger LOG = LoggerFactory.getLogger(PullRecorder.class);
    private static final Duration MAX_REFRESH_AFTER = Duration.ofHours(1);

    private record Key(RepositoryName repo, Digest manifest) {
    }

    /** What one flush did. */
    public record Flush(int written, int alreadyRecent, int pending, boolean failed) {
    }

    private final LastPulls store;
    private final Clock clock;
    private final Duration refreshAfter;
    private final ConcurrentHashMap<Key, Instant> pulls = new ConcurrentHashMap<>();
    /** What storage is known to hold; only touched under the flush's lock. */
    private final Map<Key, Instant> stored = new HashMap<>();

    public PullRecorder(StorageDriver driver, Clock clock, Duration refreshAfter) {
        if (refreshAfter.isNegative()) {
            throw new IllegalArgumentException("refreshAfter must not be negative: " + refreshAfter);
        }
        this.store = new LastPulls(driver);
        this.clock = clock;
        this.refreshAfter = refreshAfter;
    }

    /** How stale a stored time may get before a pull rewrites it: 1 % of the TTL, at most an hour. */
    public static Duration refreshAfter(Duration ttl) {
        if (ttl.isZero() || ttl.isNegative()) {
            return MAX_REFRESH_AFTER;
        }
        Duration onePercent = ttl.dividedBy(100);
        return onePercent.compareTo(MAX_REFRESH_AFTER) < 0 ? onePercent : MAX_REFRESH_AFTER;
    }

    /** Notes that a manifest of a mirrored repository was served now. Never blocks. */
    public void pulled(RepositoryName repo, Digest manifest) {
        pulls.merge(new Key(repo, manifest), clock.instant(), (a, b) -> a.isAfter(b) ? a : b);
    }

    /** Manifests pulled whose time storage may not have yet. */
    public int pending() {
        return pulls.size();
    }

    /** Writes the times that storage lacks or holds too old. Blocks on storage: call it on a worker. */
    public synchronized Flush flush() {
        int written = 0;
        int recent = 0;
        try {
            for (Map.Entry<Key, Instant> entry : pulls.entrySet()) {
                Key key = entry.getKey();
                Instant pulledAt = entry.getValue();
                if (isRecent(stored.get(key), pulledAt)) {
                    continue;
                }
                Optional<Instant> inStorage = store.read(key.repo(), key.manifest());
                if (inStorage.isPresent() && isRecent(inStorage.get(), pulledAt)) {
                    stored.put(key, inStorage.get());
                    recent++;
                    continue;
                }
                store.write(key.repo(), key.manifest(), pulledAt);
                stored.put(key, pulledAt);
                written++;
            }
        } catch (RuntimeException e) {
            LOG.warn("recording when manifests were last pulled failed after {} writes; retrying with the next flush: {}",
                    written, e.toString());
            return new Flush(written, recent, pulls.size(), true);
        }
        forgetQuietEntries();
        return new Flush(written, recent, pulls.size(), false);
    }

    private boolean isRecent(Instant storedAt, Instant pulledAt) {
        return storedAt != null && Duration.between(storedAt, pulledAt).compareTo(refreshAfter) < 0;
    }

    /**
     * Entries not pulled for {@code refreshAfter} are dropped: their next pull would rewrite storage
     * anyway, so memory only holds what is being pulled.
     */
    private void forgetQuietEntries() {
        Instant quietSince = clock.instant().minus(refreshAfter);
        for (Map.Entry<Key, Instant> entry : pulls.entrySet()) {
            Instant pulledAt = entry.getValue();
            if (pulledAt.isBefore(quietSince) && isRecent(stored.get(entry.getKey()), pulledAt)
                    && pulls.remove(entry.getKey(), pulledAt)) {
                stored.remove(entry.getKey());
            }
        }
    }
}
