package dev.fleetmirror.coordination.blob;

import dev.fleetmirror.coordination.expiring.ExpiringMap;
import dev.fleetmirror.coordination.expiring.Generations;
import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.name.RepositoryName;
import java.time.Duration;
import java.util.Optional;

/**
 * The {@link BlobIndex} over two maps, as the manifest index is built: generations (a random id
 * per repository plus one for the whole cluster, read from their owner on every use) and entries
 * qualified by both generations (written once per key, so they may be near-cached on every member).
 */
public final class GenerationalBlobIndex implements BlobIndex {
    /** Not a repository name (those cannot contain '*'): the cluster-wide generation's key. */
    private static final String EVERYWHERE = "*";
    private static final String ABSENT = "-";
    private static final String STORED = "stored";

    private final Generations generations;
    private final ExpiringMap entries;
    private final Duration ttl;

    public GenerationalBlobIndex(ExpiringMap generations, ExpiringMap entries, Duration ttl) {
        this.generations = new Generations(generations, ttl);
        this.entries = entries;
        this.ttl = ttl;
    }

    @Override
    public RepositoryBlobs of(RepositoryName repo) {
        // The cluster's generation first: a sweep that starts after this read files our answers under a dead one.
        String everywhere = generations.current(EVERYWHERE);
        String repository = generations.current(repo.value());
        return new Generation(everywhere, everywhere + " " + repository);
    }

    @Override
    public void changed(RepositoryName repo) {
        generations.renew(repo.value());
    }

    @Override
    public void changedEverywhere() {
        generations.renew(EVERYWHERE);
    }

    /** Equal to another view of this index that read the same generations, as {@link RepositoryBlobs} promises. */
    private final class Generation implements RepositoryBlobs {
        private final String everywhere;
        private final String repository;

        Generation(String everywhere, String repository) {
            this.everywhere = everywhere;
            this.repository = repository;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Generation that && index() == that.index()
                    && everywhere.equals(that.everywhere) && repository.equals(that.repository);
        }

        @Override
        public int hashCode() {
            return repository.hashCode();
        }

        private GenerationalBlobIndex index() {
            return GenerationalBlobIndex.this;
        }

        @Override
        public Optional<Known> get(Digest digest) {
            return entries.get(repository + " " + digest).map(value -> ABSENT.equals(value)
                    ? new Known.Absent() : new Known.Linked(Long.parseLong(value)));
        }

        @Override
        public void learn(Digest digest, Known known) {
            String value = known instanceof Known.Linked linked ? Long.toString(linked.size()) : ABSENT;
            entries.put(repository + " " + digest, value, ttl);
            if (known instanceof Known.Linked linked) {
                entries.put(dataKey(everywhere, digest), STORED, ttl);
            }
        }
    }

    @Override
    public StoredData data() {
        String everywhere = generations.current(EVERYWHERE);
        return new StoredData() {
            @Override
            public boolean has(Digest digest) {
                return entries.get(dataKey(everywhere, digest)).isPresent();
            }

            @Override
            public void learn(Digest digest) {
                entries.put(dataKey(everywhere, digest), STORED, ttl);
            }
        };
    }

    private static String dataKey(String everywhere, Digest digest) {
        return everywhere + " data " + digest;
    }
}
