package dev.fleetmirror.coordination.mode;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.core.IExecutorService;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import java.io.Serial;
import java.io.Serializable;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's mode in one IMap entry ({@code version:MODE}, changed by compare-and-set), mirrored
 * on every member so the request path never waits on the network. Permits stay local: a drain asks
 * every member, through Hazelcast's executor, to stop granting permits and to say how many it has
 * out, and repeats until all say none. The member answers under the same monitor that grants
 * permits, so after its answer it grants none: no write slips in between. A member that left
 * answers nothing and counts as none. Versions order the mirrored copies: a late event never
 * undoes a newer switch.
 */
public final class HazelcastModeSwitch extends PermitsOfThisMember {
    public static final String MAP = "fleetmirror.mode";
    private static final String KEY = "mode";
    private static final String EXECUTOR = "fleetmirror-mode";
    /** The third part of a mode value whose writes wait rather than fail (a GC's window). */
    private static final String HELD = "held";
    private static final Logger LOG = LoggerFactory.getLogger(HazelcastModeSwitch.class);
    /** The members of this JVM, by id: what a broadcast callable acts on where it lands. */
    private static final Map<UUID, HazelcastModeSwitch> MEMBERS = new ConcurrentHashMap<>();

    private final HazelcastInstance hazelcast;
    private final UUID memberId;
    private final IMap<String, String> modes;
    private final UUID listener;
    private long version = -1;

    public HazelcastModeSwitch(HazelcastInstance hazelcast) {
        this.hazelcast = hazelcast;
        this.memberId = hazelcast.getCluster().getLocalMember().getUuid();
        this.modes = hazelcast.getMap(MAP);
        MEMBERS.put(memberId, this);
        this.listener = modes.addEntryListener(new Changes(), true);
        Optional.ofNullable(modes.get(KEY)).ifPresent(this::apply);
    }

    private final class Changes implements EntryAddedListener<String, String>, EntryUpdatedListener<String, String> {
        @Override
        public void entryAdded(com.hazelcast.core.EntryEvent<String, String> event) {
            apply(event.getValue());
        }

        @Override
        public void entryUpdated(com.hazelcast.core.EntryEvent<String, String> event) {
            apply(event.getValue());
        }
    }

    /** Takes a {@code version:MODE} value unless a newer one was seen. */
    private synchronized void apply(String value) {
        String[] parts = value.split(":");
        long seen = Long.parseLong(parts[0]);
        ClusterMode mode = ClusterMode.valueOf(parts[1]);
        if (seen > version) {
            version = seen;
            boolean held = parts.length > 2 && parts[2].equals(HELD);
            if (mode == ClusterMode.DRAINING) {
                permits.drainStarted(held);
            } else {
                permits.set(mode, held);
            }
        }
    }

    @Override
    public SwitchOutcome switchTo(ClusterMode target, Duration drainTimeout, boolean holdWrites)
            throws InterruptedException {
        long started = System.nanoTime();
        if (target == ClusterMode.DRAINING) {
            throw new IllegalArgumentException("switch to READ_ONLY or READ_WRITE; DRAINING is the way between");
        }
        String before = modes.get(KEY);
        String suffix = holdWrites && target == ClusterMode.READ_ONLY ? ":" + HELD : "";
        if (before != null && before.endsWith(":" + target + suffix)) {
            return new SwitchOutcome(target, took(started), Optional.empty());
        }
        if (target == ClusterMode.READ_WRITE) {
            publish(ClusterMode.READ_WRITE);
            return new SwitchOutcome(ClusterMode.READ_WRITE, took(started), Optional.empty());
        }
        publish(ClusterMode.DRAINING, suffix);
        long deadline = started + drainTimeout.toNanos();
        int left = Integer.MAX_VALUE;
        while (System.nanoTime() < deadline) {
            int answered = drainEverywhere(deadline, !suffix.isEmpty());
            // A round cut short by the deadline says nothing new: keep what the last full round said.
            left = answered == Integer.MAX_VALUE && left != Integer.MAX_VALUE ? left : answered;
            if (left == 0) {
                publish(ClusterMode.READ_ONLY, suffix);
                LOG.info("cluster read-only after draining writes for {} ms", took(started).toMillis());
                return new SwitchOutcome(ClusterMode.READ_ONLY, took(started), Optional.empty());
            }
            Thread.sleep(20);
        }
        publish(ClusterMode.READ_WRITE);
        String why = (left == Integer.MAX_VALUE ? "members did not answer" : left + " write(s) still in flight")
                + " after " + drainTimeout + "; back to read-write";
        LOG.warn("read-only switch abandoned: {}", why);
        return new SwitchOutcome(ClusterMode.READ_WRITE, took(started), Optional.of(why));
    }

    /** Writes in flight on every member, each of which stops granting permits before it answers. */
    private int drainEverywhere(long deadline, boolean held) throws InterruptedException {
        IExecutorService executor = hazelcast.getExecutorService(EXECUTOR);
        Map<Member, Future<Integer>> answers = executor.submitToAllMembers(new Drain(held));
        int total = 0;
        for (Map.Entry<Member, Future<Integer>> answer : answers.entrySet()) {
            long wait = Math.max(1, deadline - System.nanoTime());
            try {
                total += answer.getValue().get(wait, TimeUnit.NANOSECONDS);
            } catch (ExecutionException e) {
                if (hazelcast.getCluster().getMembers().contains(answer.getKey())) {
                    return Integer.MAX_VALUE;
                }
                // A member that left has nothing in flight any more.
            } catch (TimeoutException e) {
                return Integer.MAX_VALUE;
            }
        }
        return total;
    }

    /** Sets the shared entry to the next version of {@code mode}, and this member's copy with it. */
    private void publish(ClusterMode mode) {
        publish(mode, "");
    }

    private void publish(ClusterMode mode, String suffix) {
        while (true) {
            String current = modes.get(KEY);
            long next = current == null ? 1 : Long.parseLong(current.substring(0, current.indexOf(':'))) + 1;
            String value = next + ":" + mode + suffix;
            boolean set = current == null ? modes.putIfAbsent(KEY, value) == null : modes.replace(KEY, current, value);
            if (set) {
                apply(value);
                return;
            }
        }
    }

    @Override
    public Holds holds(boolean reset) throws InterruptedException {
        IExecutorService executor = hazelcast.getExecutorService(EXECUTOR);
        Map<Member, Future<Holds>> answers = executor.submitToAllMembers(new CountHolds(reset));
        Holds total = Holds.NONE;
        for (Future<Holds> answer : answers.values()) {
            try {
                total = total.plus(answer.get(10, TimeUnit.SECONDS));
            } catch (ExecutionException | TimeoutException e) {
                // a member that left or does not answer: its holds are not counted
            }
        }
        return total;
    }

    private static Duration took(long started) {
        return Duration.ofNanos(System.nanoTime() - started);
    }

    @Override
    public void close() {
        MEMBERS.remove(memberId, this);
        try {
            modes.removeEntryListener(listener);
        } catch (RuntimeException e) {
            // the member is going away
        }
    }

    /**
     * A question every member answers about its own switch (found by the member's id): tasks reach
     * members serialized, so they carry only their arguments and look the switch up where they run.
     */
    abstract static class OnEachMember<T> implements Callable<T>, Serializable, HazelcastInstanceAware {
        @Serial
        private static final long serialVersionUID = 1L;
        private transient HazelcastInstance local;

        @Override
        public void setHazelcastInstance(HazelcastInstance hazelcastInstance) {
            this.local = hazelcastInstance;
        }

        @Override
        public T call() {
            HazelcastModeSwitch member = MEMBERS.get(local.getCluster().getLocalMember().getUuid());
            return member == null ? absent() : on(member);
        }

        abstract T on(HazelcastModeSwitch member);

        /** The answer of a member whose switch is already closed. */
        abstract T absent();
    }

    /** Runs on each member: its holds since the last reset. */
    static final class CountHolds extends OnEachMember<Holds> {
        @Serial
        private static final long serialVersionUID = 2L;
        private final boolean reset;

        CountHolds(boolean reset) {
            this.reset = reset;
        }

        @Override
        Holds on(HazelcastModeSwitch member) {
            return member.permits.holds(reset);
        }

        @Override
        Holds absent() {
            return Holds.NONE;
        }
    }

    /** Runs on each member: no more permits there, and how many are out. */
    static final class Drain extends OnEachMember<Integer> {
        @Serial
        private static final long serialVersionUID = 3L;
        private final boolean held;

        Drain(boolean held) {
            this.held = held;
        }

        @Override
        Integer on(HazelcastModeSwitch member) {
            return member.permits.drainStarted(held);
        }

        @Override
        Integer absent() {
            return 0;
        }
    }
}
