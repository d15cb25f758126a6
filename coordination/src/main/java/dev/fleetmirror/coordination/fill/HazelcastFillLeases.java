package dev.fleetmirror.coordination.fill;

import com.hazelcast.cluster.MembershipAdapter;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import dev.fleetmirror.core.digest.Digest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fill leases in a Hazelcast {@link IMap} keyed by digest. A claim is one {@code putIfAbsent} with
 * the lease TTL, so exactly one member wins however many race. The winner's lease is renewed every
 * third of the TTL by an entry processor that only touches the entry while it carries the claim's
 * token; nothing is locked between calls, so no thread (and no Vert.x callback) ever owns a
 * Hazelcast lock.
 *
 * <p>A member that leaves the cluster (stopped, killed, cut off) has its leases removed as soon as
 * the others notice, so a follower can take a dead owner's fill over within the failure-detection
 * time rather than the TTL; the TTL is the last resort for an owner that is alive but stalled.
 */
public final class HazelcastFillLeases implements FillLeases {
    private static final Logger LOG = LoggerFactory.getLogger(HazelcastFillLeases.class);
    public static final String MAP_NAME = "fleetmirror-fill-leases";
    private static final long MIN_RENEW_PERIOD_MILLIS = 100;
    /**
     * Hazelcast keeps an entry's last-update time in whole seconds and counts the TTL from it, so
     * an entry renewed at 12.9 s with a TTL of 1 s expires at 13.0 s. The map TTL is the lease TTL
     * plus this much, so that a renewed entry always outlives the lease TTL.
     */
    private static final long EXPIRY_RESOLUTION_MILLIS = 1000;

    private final IMap<String, String> map;
    private final HazelcastInstance hazelcast;
    private final String memberId;
    private final Supplier<String> peerUrl;
    private final long ttlMillis;
    private final long entryTtlMillis;
    private final Clock clock;
    private final ScheduledExecutorService renewals;
    private final Map<String, Lease> held = new ConcurrentHashMap<>();
    private final UUID membershipListener;

    /**
     * @param peerUrl this member's peer base URL as it is when a claim is made (it is only known
     *                once the node's HTTP server listens)
     */
    public HazelcastFillLeases(HazelcastInstance hazelcast, Supplier<String> peerUrl, Duration leaseTtl) {
        this.hazelcast = hazelcast;
        this.map = hazelcast.getMap(MAP_NAME);
        this.memberId = hazelcast.getCluster().getLocalMember().getUuid().toString();
        this.peerUrl = peerUrl;
        this.ttlMillis = leaseTtl.toMillis();
        this.entryTtlMillis = ttlMillis + EXPIRY_RESOLUTION_MILLIS;
        this.clock = Clock.systemUTC();
        // Two threads: dropping a departed member's leases waits for partitions to settle, and must not hold up renewals.
        AtomicInteger threads = new AtomicInteger();
        this.renewals = Executors.newScheduledThreadPool(2, runnable -> {
            Thread thread = new Thread(runnable, "fleetmirror-fill-leases-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        long period = Math.max(MIN_RENEW_PERIOD_MILLIS, ttlMillis / 3);
        renewals.scheduleWithFixedDelay(this::renewAll, period, period, TimeUnit.MILLISECONDS);
        this.membershipListener = hazelcast.getCluster().addMembershipListener(new MembershipAdapter() {
            @Override
            public void memberRemoved(MembershipEvent event) {
                // Off Hazelcast's event thread: the removal waits for partitions that may be migrating.
                String gone = event.getMember().getUuid().toString();
                try {
                    renewals.execute(() -> dropLeasesOf(gone));
                } catch (RejectedExecutionException closing) {
                    LOG.debug("not dropping the fill leases of member {}: closing", gone);
                }
            }
        });
        hazelcast.getLifecycleService().addLifecycleListener(event -> {
            if (event.getState() == LifecycleEvent.LifecycleState.SHUTTING_DOWN) {
                // Also when Hazelcast terminates the member itself: its leases are the others' to take now.
                renewals.shutdownNow();
                held.values().forEach(Lease::lose);
            }
        });
    }

    @Override
    public FillClaim claim(Digest digest, String origin) {
        String key = digest.toString();
        // A remembered 404 of another origin is taken away, then the claim is made again (once, unless others race).
        for (int attempt = 0; ; attempt++) {
            LeaseEntry entry = new LeaseEntry(UUID.randomUUID().toString(), memberId, -1, clock.instant(), origin,
                    peerUrl.get());
            long claimedAt = System.nanoTime();
            String existing = map.putIfAbsent(key, entry.encode(), entryTtlMillis, TimeUnit.MILLISECONDS);
            if (existing == null) {
                Lease lease = new Lease(key, entry.token(), claimedAt);
                held.put(key, lease);
                return new FillClaim.Won(lease);
            }
            LeaseEntry found = LeaseEntry.decode(existing);
            if (found.filling()) {
                return new FillClaim.Held(found.holder(digest));
            }
            Optional<FillClaim.Settled> settled = found.settledFor(origin);
            if (settled.isPresent()) {
                return settled.get();
            }
            // Another origin's upstream lacked the blob: that says nothing of ours.
            map.remove(key, existing);
            if (attempt > 3) {
                throw new IllegalStateException("the fill lease of " + key + " keeps changing; retry");
            }
        }
    }

    @Override
    public void forgetStored(Digest digest) {
        String key = digest.toString();
        String existing = map.get(key);
        if (existing != null && LeaseEntry.decode(existing).outcome().filter(FillOutcome.STORED::equals).isPresent()) {
            map.remove(key, existing);
        }
    }

    @Override
    public Optional<FillHolder> holder(Digest digest) {
        return Optional.ofNullable(map.get(digest.toString())).map(LeaseEntry::decode).filter(LeaseEntry::filling)
                .map(entry -> entry.holder(digest));
    }

    @Override
    public List<FillHolder> inFlight() {
        List<FillHolder> holders = new ArrayList<>();
        for (Map.Entry<String, String> entry : map.entrySet()) {
            LeaseEntry lease = LeaseEntry.decode(entry.getValue());
            if (lease.filling()) {
                holders.add(lease.holder(Digest.parse(entry.getKey())));
            }
        }
        holders.sort((a, b) -> a.since().compareTo(b.since()));
        return holders;
    }

    /** Releases every lease this member holds and stops renewing; the member itself stays up. */
    @Override
    public void close() {
        renewals.shutdownNow();
        if (hazelcast.getLifecycleService().isRunning()) {
            hazelcast.getCluster().removeMembershipListener(membershipListener);
        }
        List.copyOf(held.values()).forEach(Lease::release);
    }

    private void renewAll() {
        for (Lease lease : held.values()) {
            long sent = System.nanoTime();
            try {
                map.submitToKey(lease.key, new LeaseUpdates.Renew(lease.token, entryTtlMillis))
                        .whenComplete((stillHeld, failure) -> lease.renewed(sent, stillHeld, failure));
            } catch (RuntimeException e) {
                // Caught per lease: an exception escaping would end this scheduled task, and every renewal with it.
                lease.renewed(sent, null, e);
            }
        }
    }

    private void dropLeasesOf(String member) {
        try {
            map.removeAll(new LeaseUpdates.OwnedBy(member));
            LOG.info("member {} left the cluster; its fill leases are free", member);
        } catch (HazelcastInstanceNotActiveException e) {
            LOG.debug("fill leases of departed member {} not dropped: this member is shutting down", member);
        } catch (RuntimeException e) {
            if (renewals.isShutdown()) {
                LOG.debug("fill leases of departed member {} not dropped: this member is closing", member);
            } else {
                // Every remaining member tries; should all fail, the leases still lapse after their TTL.
                LOG.warn("could not drop the fill leases of departed member {}: {}", member, e.toString());
            }
        }
    }

    /** One won claim. Volatile state only: renewals complete on Hazelcast threads, callers ask from workers. */
    private final class Lease implements FillLease {
        private final String key;
        private final String token;
        private volatile long confirmedAt;
        private volatile boolean lost;
        private volatile boolean released;

        Lease(String key, String token, long confirmedAt) {
            this.key = key;
            this.token = token;
            this.confirmedAt = confirmedAt;
        }

        @Override
        public void announceSize(long size) {
            if (released || lost) {
                return;
            }
            long sent = System.nanoTime();
            try {
                renewed(sent, map.executeOnKey(key, new LeaseUpdates.AnnounceSize(token, size, entryTtlMillis)), null);
            } catch (RuntimeException e) {
                // Followers then see the size when the stream starts; the fill itself goes on.
                renewed(sent, null, e);
            }
        }

        /**
         * Held while the last confirmation from the map is younger than the TTL: a member cut off
         * from the cluster stops calling itself the owner before the others may take the fill over.
         */
        @Override
        public boolean held() {
            return !released && !lost && System.nanoTime() - confirmedAt < TimeUnit.MILLISECONDS.toNanos(ttlMillis);
        }

        @Override
        public void release() {
            end(new LeaseUpdates.Release(token));
        }

        @Override
        public void release(FillOutcome outcome) {
            end(new LeaseUpdates.Settle(token, outcome, FillLeases.REMEMBERED.toMillis()));
        }

        private void end(EntryProcessor<String, String, Boolean> update) {
            if (released) {
                return;
            }
            released = true;
            held.remove(key, this);
            if (lost) {
                return;
            }
            try {
                map.executeOnKey(key, update);
            } catch (RuntimeException e) {
                // No longer renewed, the entry lapses after the TTL; release runs in finally blocks and must not throw.
                LOG.warn("releasing the fill lease of {} failed, it lapses after the TTL: {}", key, e.toString());
            }
        }

        void renewed(long sentAt, Boolean stillHeld, Throwable failure) {
            if (failure != null) {
                if (hazelcast.getLifecycleService().isRunning()) {
                    // Held() turns false once the TTL passed without a confirmation; the next renewal may still succeed.
                    LOG.warn("renewing the fill lease of {} failed: {}", key, failure.toString());
                }
            } else if (Boolean.TRUE.equals(stillHeld)) {
                if (sentAt - confirmedAt > 0) {
                    confirmedAt = sentAt;
                }
            } else if (!released) {
                lose();
                LOG.warn("the fill lease of {} lapsed or was taken over by another member", key);
            }
        }

        void lose() {
            lost = true;
            held.remove(key, this);
        }

        @Override
        public String toString() {
            return "fill lease of " + key + (held() ? " (held)" : " (not held)");
        }
    }
}
