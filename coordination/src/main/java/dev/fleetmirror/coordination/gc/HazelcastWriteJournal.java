package dev.fleetmirror.coordination.gc;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.core.IExecutorService;
import com.hazelcast.map.IMap;
import java.io.Serial;
import java.io.Serializable;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The journal in two IMaps: the recorded paths ({@code fleetmirror.gc.journal}, path to member),
 * and whether recording is on ({@code fleetmirror.gc.journaling}), which a member joining during a
 * mark reads before it serves anything. Switching on and off goes to every member through
 * Hazelcast's executor, as the read-only switch's drain does, and waits for each answer.
 */
public final class HazelcastWriteJournal extends MemberJournal {
    public static final String PATHS = "fleetmirror.gc.journal";
    public static final String STATE = "fleetmirror.gc.journaling";
    private static final String KEY = "on";
    private static final String EXECUTOR = "fleetmirror-journal";
    /** The members of this JVM, by id: what a broadcast callable acts on where it lands. */
    private static final Map<UUID, HazelcastWriteJournal> MEMBERS = new ConcurrentHashMap<>();

    private final HazelcastInstance hazelcast;
    private final UUID memberId;
    private final IMap<String, String> paths;
    private final IMap<String, Long> state;
    private final String self;

    public HazelcastWriteJournal(HazelcastInstance hazelcast) {
        this.hazelcast = hazelcast;
        this.memberId = hazelcast.getCluster().getLocalMember().getUuid();
        this.paths = hazelcast.getMap(PATHS);
        this.state = hazelcast.getMap(STATE);
        this.self = memberId.toString();
        MEMBERS.put(memberId, this);
        if (state.containsKey(KEY)) {
            try {
                on(0);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    void record(String path) {
        paths.set(path, self);
    }

    @Override
    public void start(Duration timeout) throws InterruptedException {
        paths.clear();
        state.set(KEY, System.currentTimeMillis());
        boolean all = broadcast(new Switch(true, timeout.toMillis()), timeout.plusSeconds(5));
        if (!all) {
            stop();
            throw new IllegalStateException("not every member started journaling within " + timeout
                    + " (link writes in flight, or a member did not answer); the GC did not start");
        }
    }

    @Override
    public Set<String> recorded() {
        return new HashSet<>(paths.keySet());
    }

    @Override
    public void stop() {
        state.delete(KEY);
        try {
            broadcast(new Switch(false, 0), Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        paths.clear();
    }

    private boolean broadcast(Switch change, Duration wait) throws InterruptedException {
        IExecutorService executor = hazelcast.getExecutorService(EXECUTOR);
        Map<Member, Future<Boolean>> answers = executor.submitToAllMembers(change);
        long deadline = System.nanoTime() + wait.toNanos();
        boolean all = true;
        for (Map.Entry<Member, Future<Boolean>> answer : answers.entrySet()) {
            try {
                all &= answer.getValue().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (ExecutionException e) {
                // A member that left writes nothing any more; one still present did not switch.
                all &= !hazelcast.getCluster().getMembers().contains(answer.getKey());
            } catch (TimeoutException e) {
                all = false;
            }
        }
        return all;
    }

    @Override
    public void close() {
        MEMBERS.remove(memberId, this);
    }

    /** Runs on each member: recording on (waiting for unrecorded link writes) or off. */
    static final class Switch implements Callable<Boolean>, Serializable, HazelcastInstanceAware {
        @Serial
        private static final long serialVersionUID = 1L;
        private final boolean on;
        private final long timeoutMillis;
        private transient HazelcastInstance local;

        Switch(boolean on, long timeoutMillis) {
            this.on = on;
            this.timeoutMillis = timeoutMillis;
        }

        @Override
        public void setHazelcastInstance(HazelcastInstance hazelcastInstance) {
            this.local = hazelcastInstance;
        }

        @Override
        public Boolean call() throws InterruptedException {
            HazelcastWriteJournal journal = MEMBERS.get(local.getCluster().getLocalMember().getUuid());
            if (journal == null) {
                return true;
            }
            if (on) {
                return journal.on(timeoutMillis);
            }
            journal.off();
            return true;
        }
    }
}
