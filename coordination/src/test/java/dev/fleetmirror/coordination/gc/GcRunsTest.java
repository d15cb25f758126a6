package dev.fleetmirror.coordination.gc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fleetmirror.coordination.HazelcastCoordination;
import dev.fleetmirror.coordination.LoopbackMembers;
import dev.fleetmirror.coordination.StandaloneCoordination;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One GC run per cluster, on real members over loopback; a run whose member dies is ended by the oldest. */
class GcRunsTest {
    private static final Duration TTL = Duration.ofSeconds(10);
    private final LoopbackMembers cluster = new LoopbackMembers(3);

    @AfterEach
    void stopMembers() {
        cluster.close();
    }

    @Test
    void oneRunAtATimeAcrossTheClusterAndEveryMemberSeesItsPhase() {
        HazelcastCoordination first = cluster.start(0, TTL);
        HazelcastCoordination second = cluster.start(1, TTL);

        Optional<GcRun> run = second.gcRuns().claim("admin");
        assertThat(run).isPresent();
        assertThat(first.gcRuns().claim("schedule")).as("a second run while one is in progress").isEmpty();
        run.get().phase("mark");
        assertThat(first.gcRuns().current()).get().satisfies(info -> {
            assertThat(info.memberId()).isEqualTo(second.memberId());
            assertThat(info.phase()).isEqualTo("mark");
            assertThat(info.trigger()).isEqualTo("admin");
        });

        run.get().close();
        assertThat(first.gcRuns().current()).isEmpty();
        Optional<GcRun> next = first.gcRuns().claim("schedule");
        assertThat(next).as("the next run, once the first ended").isPresent();
        next.get().close();
    }

    @Test
    void runOfAMemberThatDiesIsEndedOnceByTheOldestMember() {
        HazelcastCoordination first = cluster.start(0, TTL);
        HazelcastCoordination second = cluster.start(1, TTL);
        HazelcastCoordination third = cluster.start(2, TTL);
        List<String> abandonedOnFirst = new CopyOnWriteArrayList<>();
        List<String> abandonedOnSecond = new CopyOnWriteArrayList<>();
        first.gcRuns().onAbandoned(info -> abandonedOnFirst.add(info.runId() + "@" + info.phase()));
        second.gcRuns().onAbandoned(info -> abandonedOnSecond.add(info.runId() + "@" + info.phase()));

        GcRun run = third.gcRuns().claim("schedule").orElseThrow();
        run.phase("sweep");
        LoopbackMembers.kill(third);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(abandonedOnFirst).containsExactly(run.info().runId() + "@sweep"));
        assertThat(abandonedOnSecond).as("only the oldest member ends it").isEmpty();
        assertThat(second.gcRuns().current()).isEmpty();
        Optional<GcRun> later = second.gcRuns().claim("admin");
        assertThat(later).as("a later run").isPresent();
        later.get().close();
    }

    @Test
    void standaloneNodeHasOneRunAtATime() {
        try (StandaloneCoordination alone = new StandaloneCoordination()) {
            GcRun run = alone.gcRuns().claim("admin").orElseThrow();
            assertThat(alone.gcRuns().claim("schedule")).isEmpty();
            run.phase("sweep");
            assertThat(alone.gcRuns().current()).get().extracting(GcRunInfo::phase).isEqualTo("sweep");
            run.close();
            assertThat(alone.gcRuns().current()).isEmpty();
            assertThat(alone.gcRuns().claim("schedule")).isPresent();
        }
    }
}
