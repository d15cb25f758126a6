package dev.fleetmirror.coordination.manifest;

import dev.fleetmirror.coordination.expiring.ExpiringMap;
import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.name.Tag;
import java.time.Duration;
import java.util.Optional;

/**
 * One generation of what is known about a repository's manifests (see {@link ManifestIndex}).
 * Entries are only ever added to a generation, never changed, which is what lets members keep
 * near copies of them without waiting for invalidations.
 */
public final class RepositoryIndex {
    private static final String HELD = "held";

    private final String generation;
    private final ExpiringMap entries;
    private final Duration ttl;

    RepositoryIndex(String generation, ExpiringMap entries, Duration ttl) {
        this.generation = generation;
        this.entries = entries;
        this.ttl = ttl;
    }

    /** The manifest {@code tag} points at, when storage said so during this generation. */
    public Optional<Digest> target(Tag tag) {
        return entries.get(tagKey(tag)).map(Digest::parse);
    }

    /** True when storage showed the manifest in this repository during this generation. */
    public boolean holds(Digest manifest) {
        return entries.get(manifestKey(manifest)).isPresent();
    }

    /** Records that storage has {@code tag} pointing at {@code manifest}. */
    public void learnTarget(Tag tag, Digest manifest) {
        entries.put(tagKey(tag), manifest.toString(), ttl);
    }

    /** Records that storage has {@code manifest} in this repository. */
    public void learnHeld(Digest manifest) {
        entries.put(manifestKey(manifest), HELD, ttl);
    }

    private String tagKey(Tag tag) {
        return generation + " tag " + tag.value();
    }

    private String manifestKey(Digest manifest) {
        return generation + " manifest " + manifest;
    }
}
