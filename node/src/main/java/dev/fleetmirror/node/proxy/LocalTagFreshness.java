package dev.fleetmirror.node.proxy;

import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.name.Tag;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Tag confirmations of this node, in memory: a restart re-checks every tag once. */
public final class LocalTagFreshness implements TagFreshness {
    private final long ttlNanos;
    private final Map<String, Long> confirmedAt = new ConcurrentHashMap<>();

    public LocalTagFreshness(Duration ttl) {
        this.ttlNanos = ttl.toNanos();
    }

    @Override
    public boolean fresh(RepositoryName repo, Tag tag) {
        Long at = confirmedAt.get(key(repo, tag));
        return at != null && System.nanoTime() - at < ttlNanos;
    }

    @Override
    public void confirmed(RepositoryName repo, Tag tag) {
        confirmedAt.put(key(repo, tag), System.nanoTime());
    }

    private static String key(RepositoryName repo, Tag tag) {
        return repo.value() + ":" + tag.value();
    }
}
