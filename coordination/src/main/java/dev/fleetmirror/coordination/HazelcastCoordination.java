package dev.fleetmirror.coordination;

import com.hazelcast.cluster.Address;
import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipAdapter;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import dev.fleetmirror.coordination.gc.HazelcastGcRuns;
import dev.fleetmirror.coordination.gc.HazelcastPushedBlobs;
import dev.fleetmirror.coordination.gc.HazelcastWriteJournal;
import dev.fleetmirror.coordination.mode.HazelcastModeSwitch;
import dev.fleetmirror.coordination.fill.HazelcastFillLeases;
import dev.fleetmirror.coordination.limit.RateLimits;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The coordination of a node with a {@code cluster:} section: an embedded Hazelcast member that
 * finds the others as the settings say. Members publish their peer URLs in a map keyed by member
 * id (Hazelcast's member attributes are fixed before the member starts, the URL is known only once
 * the node's HTTP server listens).
 */
public final class HazelcastCoordination implements Coordination {
    public static final String PEERS_MAP = "fleetmirror-peer-urls";
    private static final String LOGGING_TYPE = "hazelcast.logging.type";

    private final String name;
    private final int minimumSize;
    private final HazelcastInstance hazelcast;
    private final String memberId;
    private final IMap<String, String> peers;
    private final HazelcastFillLeases fills;
    private final RateLimits limits;
    private final SharedCaches caches;
    private final HazelcastGcRuns gcRuns;
    private final HazelcastModeSwitch mode;
    private final HazelcastWriteJournal journal;
    private final SharedParts parts;
    private volatile String peerUrl;

    private HazelcastCoordination(ClusterSettings settings, HazelcastInstance hazelcast) {
        this.name = settings.name();
        this.minimumSize = settings.minimumSize();
        this.hazelcast = hazelcast;
        this.memberId = hazelcast.getCluster().getLocalMember().getUuid().toString();
        this.peers = hazelcast.getMap(PEERS_MAP);
        this.peerUrl = settings.peerUrl();
        this.fills = new HazelcastFillLeases(hazelcast, () -> peerUrl, settings.leaseTtl());
        this.limits = RateLimits.on(hazelcast);
        this.caches = SharedCaches.on(hazelcast);
        this.gcRuns = new HazelcastGcRuns(hazelcast);
        this.mode = new HazelcastModeSwitch(hazelcast);
        this.journal = new HazelcastWriteJournal(hazelcast);
        this.parts = new SharedParts(memberId, fills, limits, caches, gcRuns, journal,
                new HazelcastPushedBlobs(hazelcast), mode);
        hazelcast.getCluster().addMembershipListener(new MembershipAdapter() {
            @Override
            public void memberRemoved(MembershipEvent event) {
                peers.removeAsync(event.getMember().getUuid().toString());
                // Two members lost at once can take an entry and its backup with them: say it again.
                String url = peerUrl;
                if (!url.isEmpty()) {
                    peers.putAsync(memberId, url);
                }
            }
        });
        if (!peerUrl.isEmpty()) {
            peers.put(memberId, peerUrl);
        }
    }

    /**
     * Starts the member and returns once it has joined a cluster (or, finding nobody, formed its
     * own). Blocks for about a second: call it on a worker thread.
     */
    public static HazelcastCoordination start(ClusterSettings settings) {
        // The config's logging type only reaches the member's own loggers; what Hazelcast logs before
        // (its JVM-module check) goes by this system property, or to java.util.logging on stderr.
        if (System.getProperty(LOGGING_TYPE) == null) {
            System.setProperty(LOGGING_TYPE, "slf4j");
        }
        HazelcastInstance hazelcast = Hazelcast.newHazelcastInstance(HazelcastMemberConfig.of(settings));
        try {
            return new HazelcastCoordination(settings, hazelcast);
        } catch (RuntimeException e) {
            hazelcast.getLifecycleService().terminate();
            throw e;
        }
    }

    @Override
    public SharedParts parts() {
        return parts;
    }

    @Override
    public ClusterView view() {
        Set<Member> members = hazelcast.getCluster().getMembers();
        Map<String, String> urls = peers.getAll(members.stream().map(m -> m.getUuid().toString())
                .collect(Collectors.toSet()));
        List<ClusterView.Member> view = new ArrayList<>();
        // Hazelcast lists members in join order, the oldest first, identically on every member.
        for (Member member : members) {
            String id = member.getUuid().toString();
            view.add(new ClusterView.Member(id, address(member.getAddress()), urls.getOrDefault(id, ""),
                    member.localMember()));
        }
        return new ClusterView(name, view, view.size() >= minimumSize);
    }

    @Override
    public void advertise(String peerUrl) {
        this.peerUrl = peerUrl;
        peers.put(memberId, peerUrl);
    }

    /** The embedded member, for the other shared pieces built on it and for tests. */
    public HazelcastInstance hazelcast() {
        return hazelcast;
    }

    /** Gives up this member's fill leases and leaves the cluster gracefully (its data migrates to the others). */
    @Override
    public void close() {
        try {
            fills.close();
            limits.close();
            gcRuns.close();
            mode.close();
            journal.close();
        } finally {
            hazelcast.shutdown();
        }
    }

    private static String address(Address address) {
        String host = address.getHost();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }
}
