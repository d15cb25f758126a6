package dev.fleetmirror.coordination.manifest;

import dev.fleetmirror.coordination.expiring.ExpiringMap;
import dev.fleetmirror.coordination.expiring.Generations;
import dev.fleetmirror.core.name.RepositoryName;
import java.time.Duration;

/**
 * The {@link ManifestIndex} over two maps: repository -> current generation (a random id, read
 * from its owner on every use), and generation-qualified entries (written once, so they may be
 * near-cached on every member).
 */
public final class GenerationalManifestIndex implements ManifestIndex {
    /** How long a write that bypassed the services may go unseen, at most. */
    static final Duration GENERATION_TTL = Duration.ofSeconds(60);

    private final Generations generations;
    private final ExpiringMap entries;
    private final Duration ttl;

    public GenerationalManifestIndex(ExpiringMap generations, ExpiringMap entries, Duration ttl) {
        this.generations = new Generations(generations, ttl);
        this.entries = entries;
        this.ttl = ttl;
    }

    @Override
    public RepositoryIndex of(RepositoryName repo) {
        return new RepositoryIndex(generations.current(repo.value()), entries, ttl);
    }

    @Override
    public void changed(RepositoryName repo) {
        generations.renew(repo.value());
    }
}
