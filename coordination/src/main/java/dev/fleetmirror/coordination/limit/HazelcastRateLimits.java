package dev.fleetmirror.coordination.limit;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The limits of a cluster member, shared through two maps keyed by upstream name: each upstream's
 * {@link TokenBucket} in one entry, stepped atomically by {@link TakeRequestToken}; and each
 * upstream's {@link FillCounts} in one entry, changed by {@link TakeFillSlot}, which also drops the
 * counts of members that left, so a dead member's slots free up as soon as the cluster has noticed.
 * No CP subsystem, no locks: entry processors submitted asynchronously, so no caller thread waits.
 *
 * <p>A member waiting for a fill slot tries again when the fill entry of its upstream changes
 * anywhere in the cluster (a give-back), when a member leaves, and every {@link #POLL} in case an
 * event was lost. Construct it off the event loop: registering the listeners asks the cluster.
 */
final class HazelcastRateLimits implements RateLimits {
    private static final Logger LOG = LoggerFactory.getLogger(HazelcastRateLimits.class);
    static final String TOKENS_MAP = "fleetmirror-upstream-tokens";
    static final String FILLS_MAP = "fleetmirror-upstream-fills";
    static final Duration POLL = Duration.ofSeconds(1);

    private final HazelcastInstance hazelcast;
    private final IMap<String, TokenBucket> tokens;
    private final IMap<String, FillCounts> fills;
    private final String memberId;
    private final ScheduledExecutorService timers = SlotWaiters.timers("fleetmirror-upstream-limits");
    private final Map<String, Limiter> limiters = new ConcurrentHashMap<>();
    private final UUID fillsListener;
    private final UUID membersListener;

    HazelcastRateLimits(HazelcastInstance hazelcast) {
        this.hazelcast = hazelcast;
        this.tokens = hazelcast.getMap(TOKENS_MAP);
        this.fills = hazelcast.getMap(FILLS_MAP);
        this.memberId = hazelcast.getCluster().getLocalMember().getUuid().toString();
        this.fillsListener = fills.addEntryListener(new FillsChanged(), false);
        this.membersListener = hazelcast.getCluster().addMembershipListener(new MembershipListener() {
            @Override
            public void memberAdded(MembershipEvent event) {
            }

            @Override
            public void memberRemoved(MembershipEvent event) {
                signalAll();
            }
        });
        long poll = POLL.toMillis();
        timers.scheduleWithFixedDelay(this::signalAll, poll, poll, TimeUnit.MILLISECONDS);
    }

    @Override
    public RateLimiter limiter(String upstream, RateLimit limit) {
        return BaseRateLimiter.limiterOf(limiters, upstream, limit, name -> new Limiter(name, limit));
    }

    private void signalAll() {
        limiters.values().forEach(limiter -> limiter.waiters.signal());
    }

    private Set<String> members() {
        return hazelcast.getCluster().getMembers().stream().map(m -> m.getUuid().toString()).collect(Collectors.toSet());
    }

    @Override
    public void close() {
        timers.shutdownNow();
        limiters.values().forEach(limiter -> limiter.waiters.close());
        if (hazelcast.getLifecycleService().isRunning()) {
            try {
                fills.removeEntryListener(fillsListener);
                hazelcast.getCluster().removeMembershipListener(membersListener);
            } catch (RuntimeException e) {
                LOG.debug("removing the upstream limits' listeners failed: {}", e.toString());
            }
        }
    }

    /** Any change of an upstream's fill counts may have freed a slot its waiters want. */
    private final class FillsChanged implements EntryUpdatedListener<String, FillCounts>,
            EntryRemovedListener<String, FillCounts> {
        @Override
        public void entryUpdated(EntryEvent<String, FillCounts> event) {
            signal(event.getKey());
        }

        @Override
        public void entryRemoved(EntryEvent<String, FillCounts> event) {
            signal(event.getKey());
        }

        private void signal(String upstream) {
            Limiter limiter = limiters.get(upstream);
            if (limiter != null) {
                limiter.waiters.signal();
            }
        }
    }

    private final class Limiter extends BaseRateLimiter {
        Limiter(String upstream, RateLimit limit) {
            super(upstream, limit, timers);
        }

        @Override
        CompletionStage<RequestPermit> takeRequestToken(RequestRate rate, Duration maxWait) {
            try {
                return tokens.submitToKey(upstream, new TakeRequestToken(rate, maxWait));
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }

        @Override
        public CompletionStage<Boolean> tryTake() {
            return fills.submitToKey(upstream, new TakeFillSlot(memberId, members(), limit.concurrentFills().getAsInt(), true));
        }

        @Override
        public CompletionStage<Void> giveBack() {
            return fills.submitToKey(upstream, new TakeFillSlot(memberId, members(), limit.concurrentFills().getAsInt(), false))
                    .thenApply(taken -> null);
        }
    }
}
