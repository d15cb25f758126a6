package dev.fleetmirror.coordination;

import dev.fleetmirror.coordination.blob.BlobIndex;
import dev.fleetmirror.coordination.blob.GenerationalBlobIndex;
import dev.fleetmirror.coordination.manifest.ManifestIndex;
import dev.fleetmirror.coordination.manifest.GenerationalManifestIndex;
import dev.fleetmirror.coordination.expiring.HazelcastExpiringMap;
import dev.fleetmirror.coordination.expiring.LocalExpiringMap;
import dev.fleetmirror.coordination.token.ExpiringUpstreamTokens;
import dev.fleetmirror.coordination.token.UpstreamTokens;
import dev.fleetmirror.coordination.tag.ClaimedTagFreshness;
import dev.fleetmirror.coordination.tag.TagFreshness;
import com.hazelcast.core.HazelcastInstance;
import java.time.Duration;
import java.util.Objects;

/**
 * The caches a node shares with the other members of its cluster, built together: in memory for a
 * cluster of one, or on the maps of a Hazelcast member. {@code Coordination} implementations hand
 * them out; tests build them directly.
 */
public record SharedCaches(TagFreshness tagFreshness, UpstreamTokens upstreamTokens, ManifestIndex manifestIndex,
                           BlobIndex blobIndex) {
    public static final String TAG_FRESHNESS_MAP = "fleetmirror.tag-freshness";
    public static final String UPSTREAM_TOKENS_MAP = "fleetmirror.upstream-tokens";
    public static final String MANIFEST_GENERATIONS_MAP = "fleetmirror.manifest-generations";
    public static final String MANIFEST_INDEX_MAP = "fleetmirror.manifest-index";
    public static final String BLOB_GENERATIONS_MAP = "fleetmirror.blob-generations";
    public static final String BLOB_INDEX_MAP = "fleetmirror.blob-index";

    /** In a cluster every write goes through the index; the TTL only bounds writes that bypass the services. */
    static final Duration CLUSTER_GENERATION_TTL = Duration.ofSeconds(30);
    /**
     * Nodes without a cluster may still share a bucket (behind a load balancer, or beside
     * Distribution) and miss each other's writes: they forget what they learnt after a few seconds.
     */
    static final Duration STANDALONE_GENERATION_TTL = Duration.ofSeconds(5);
    private static final int TAGS = 100_000;
    private static final int TOKENS = 10_000;
    private static final int REPOSITORIES = 50_000;
    private static final int INDEX_ENTRIES = 200_000;
    private static final int NEAR_INDEX_ENTRIES = 50_000;
    /**
     * A blob entry is two generations, a digest and a size: about 300 bytes with the map's overhead,
     * so at most ~30 MB of a member's heap plus ~6 MB of near copies (beyond these, the least
     * recently used are stat'ed again).
     */
    private static final int BLOB_ENTRIES = 100_000;
    private static final int NEAR_BLOB_ENTRIES = 20_000;

    public SharedCaches {
        Objects.requireNonNull(tagFreshness, "tagFreshness");
        Objects.requireNonNull(upstreamTokens, "upstreamTokens");
        Objects.requireNonNull(manifestIndex, "manifestIndex");
        Objects.requireNonNull(blobIndex, "blobIndex");
    }

    /** A cluster of one: everything in this member's memory, nothing on the network. */
    public static SharedCaches standalone(String memberId) {
        return new SharedCaches(
                new ClaimedTagFreshness(new LocalExpiringMap(TAGS), memberId),
                new ExpiringUpstreamTokens(new LocalExpiringMap(TOKENS)),
                new GenerationalManifestIndex(new LocalExpiringMap(REPOSITORIES), new LocalExpiringMap(INDEX_ENTRIES / 4),
                        STANDALONE_GENERATION_TTL),
                new GenerationalBlobIndex(new LocalExpiringMap(REPOSITORIES), new LocalExpiringMap(NEAR_BLOB_ENTRIES),
                        STANDALONE_GENERATION_TTL));
    }

    /** The caches on {@code hazelcast}'s maps, shared with every member of its cluster. */
    public static SharedCaches on(HazelcastInstance hazelcast) {
        String memberId = hazelcast.getCluster().getLocalMember().getUuid().toString();
        return new SharedCaches(
                new ClaimedTagFreshness(new HazelcastExpiringMap(hazelcast, TAG_FRESHNESS_MAP, TAGS, 0), memberId),
                new ExpiringUpstreamTokens(new HazelcastExpiringMap(hazelcast, UPSTREAM_TOKENS_MAP, TOKENS, 0)),
                new GenerationalManifestIndex(
                        new HazelcastExpiringMap(hazelcast, MANIFEST_GENERATIONS_MAP, REPOSITORIES, 0),
                        new HazelcastExpiringMap(hazelcast, MANIFEST_INDEX_MAP, INDEX_ENTRIES, NEAR_INDEX_ENTRIES),
                        CLUSTER_GENERATION_TTL),
                new GenerationalBlobIndex(
                        new HazelcastExpiringMap(hazelcast, BLOB_GENERATIONS_MAP, REPOSITORIES, 0),
                        new HazelcastExpiringMap(hazelcast, BLOB_INDEX_MAP, BLOB_ENTRIES, NEAR_BLOB_ENTRIES),
                        CLUSTER_GENERATION_TTL));
    }
}
