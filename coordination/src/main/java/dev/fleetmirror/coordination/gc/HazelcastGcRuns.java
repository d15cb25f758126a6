package dev.fleetmirror.coordination.gc;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipAdapter;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The GC run as one entry of an IMap, created with {@code putIfAbsent} and changed only by
 * compare-and-set: no lock is held while the run collects. The entry has no TTL (a GC may take
 * long); the run's liveness is its member's membership. When a member leaves, the oldest remaining
 * member looks for a run of that member, removes it, and calls the abandoned handlers; it does so
 * on a thread of its own, so Hazelcast's event thread never waits on a map call.
 */
public final class HazelcastGcRuns implements GcRuns {
    public static final String MAP = "fleetmirror.gc-run";
    private static final Logger LOG = LoggerFactory.getLogger(HazelcastGcRuns.class);
    private static final String KEY = "run";

    private final HazelcastInstance hazelcast;
    private final String memberId;
    private final IMap<String, String> runs;
    private final List<Consumer<GcRunInfo>> handlers = new CopyOnWriteArrayList<>();
    private final ExecutorService checks = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "fleetmirror-gc-runs");
        thread.setDaemon(true);
        return thread;
    });
    private final UUID listener;

    public HazelcastGcRuns(HazelcastInstance hazelcast) {
        this.hazelcast = hazelcast;
        this.memberId = hazelcast.getCluster().getLocalMember().getUuid().toString();
        this.runs = hazelcast.getMap(MAP);
        this.listener = hazelcast.getCluster().addMembershipListener(new MembershipAdapter() {
            @Override
            public void memberRemoved(MembershipEvent event) {
                check();
            }
        });
    }

    @Override
    public Optional<GcRun> claim(String trigger) {
        endAbandoned();
        GcRunInfo info = new GcRunInfo(UUID.randomUUID().toString(), memberId, Instant.now(), trigger, "claimed");
        if (runs.putIfAbsent(KEY, info.encode()) != null) {
            return Optional.empty();
        }
        return Optional.of(new Run(info));
    }

    @Override
    public Optional<GcRunInfo> current() {
        return Optional.ofNullable(runs.get(KEY)).map(GcRunInfo::decode);
    }

    @Override
    public void onAbandoned(Consumer<GcRunInfo> handler) {
        handlers.add(handler);
        // A run abandoned before this member was listening (its member died while this one started).
        check();
    }

    private void check() {
        try {
            checks.execute(this::endAbandoned);
        } catch (RejectedExecutionException closed) {
            // closing
        }
    }

    /** On the oldest member: ends a run whose member is gone and tells the handlers. */
    private void endAbandoned() {
        try {
            Set<Member> members = hazelcast.getCluster().getMembers();
            String value = runs.get(KEY);
            if (value == null) {
                return;
            }
            GcRunInfo run = GcRunInfo.decode(value);
            Set<String> ids = members.stream().map(m -> m.getUuid().toString()).collect(Collectors.toSet());
            boolean oldest = !members.isEmpty() && members.iterator().next().localMember();
            if (ids.contains(run.memberId()) || !oldest) {
                return;
            }
            if (runs.remove(KEY, value)) {
                LOG.warn("GC run {} ({}, started {} by member {}) was abandoned in phase {}: its member left the cluster",
                        run.runId(), run.trigger(), run.started(), run.memberId(), run.phase());
                for (Consumer<GcRunInfo> handler : handlers) {
                    try {
                        handler.accept(run);
                    } catch (RuntimeException e) {
                        LOG.error("handling the abandoned GC run {} failed", run.runId(), e);
                    }
                }
            }
        } catch (RuntimeException e) {
            if (hazelcast.getLifecycleService().isRunning()) {
                LOG.warn("looking for an abandoned GC run failed: {}", e.toString());
            }
        }
    }

    @Override
    public void close() {
        checks.shutdownNow();
        try {
            hazelcast.getCluster().removeMembershipListener(listener);
        } catch (RuntimeException e) {
            // the member is going away already
        }
    }

    private final class Run extends SlotRun {
        Run(GcRunInfo info) {
            super(info);
        }

        @Override
        boolean swap(GcRunInfo from, GcRunInfo to) {
            return to == null ? runs.remove(KEY, from.encode()) : runs.replace(KEY, from.encode(), to.encode());
        }
    }
}
