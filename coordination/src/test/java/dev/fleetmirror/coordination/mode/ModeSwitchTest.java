package dev.fleetmirror.coordination.mode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fleetmirror.coordination.HazelcastCoordination;
import dev.fleetmirror.coordination.LoopbackMembers;
import dev.fleetmirror.coordination.StandaloneCoordination;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The read-only switch on real members over loopback: drains writes everywhere, gives up in time, ignores the departed. */
class ModeSwitchTest {
    private static final Duration TTL = Duration.ofSeconds(10);
    private final LoopbackMembers cluster = new LoopbackMembers(3);

    @AfterEach
    void stopMembers() {
        cluster.close();
    }

    @Test
    void switchWaitsForAWriteOnAnotherMemberThenNoMemberGrantsPermitsUntilReadWrite() throws Exception {
        HazelcastCoordination first = cluster.start(0, TTL);
        HazelcastCoordination second = cluster.start(1, TTL);
        HazelcastCoordination third = cluster.start(2, TTL);
        WritePermit write = second.mode().tryAcquire().orElseThrow();

        CompletableFuture<SwitchOutcome> switching = CompletableFuture.supplyAsync(() -> switchTo(first, ClusterMode.READ_ONLY));
        await().atMost(Duration.ofSeconds(10)).until(() -> second.mode().current() == ClusterMode.DRAINING);
        assertThat(third.mode().tryAcquire()).as("no new permit while draining").isEmpty();
        // the write in flight holds the switch, however long one watches
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !switching.isDone());

        write.close();
        SwitchOutcome outcome = switching.get(10, TimeUnit.SECONDS);
        assertThat(outcome.succeeded()).isTrue();
        assertThat(outcome.mode()).isEqualTo(ClusterMode.READ_ONLY);
        for (HazelcastCoordination member : List.of(first, second, third)) {
            await().atMost(Duration.ofSeconds(5)).until(() -> member.mode().current() == ClusterMode.READ_ONLY);
            assertThat(member.mode().tryAcquire()).isEmpty();
        }

        assertThat(switchTo(third, ClusterMode.READ_WRITE).mode()).isEqualTo(ClusterMode.READ_WRITE);
        for (HazelcastCoordination member : List.of(first, second, third)) {
            await().atMost(Duration.ofSeconds(5)).until(() -> member.mode().current() == ClusterMode.READ_WRITE);
            member.mode().tryAcquire().orElseThrow().close();
        }
    }

    @Test
    void aWriteThatDoesNotDrainInTimeSendsTheClusterBackToReadWriteWithTheReason() throws Exception {
        HazelcastCoordination first = cluster.start(0, TTL);
        HazelcastCoordination second = cluster.start(1, TTL);
        WritePermit stuck = second.mode().tryAcquire().orElseThrow();

        SwitchOutcome outcome = first.mode().switchTo(ClusterMode.READ_ONLY, Duration.ofSeconds(2));

        assertThat(outcome.succeeded()).isFalse();
        assertThat(outcome.mode()).isEqualTo(ClusterMode.READ_WRITE);
        assertThat(outcome.failure()).get().asString().contains("1 write(s) still in flight");
        await().atMost(Duration.ofSeconds(5)).until(() -> second.mode().current() == ClusterMode.READ_WRITE);
        second.mode().tryAcquire().orElseThrow().close();
        stuck.close();
    }

    @Test
    void aMemberThatLeavesWithAWriteInFlightDoesNotHoldTheSwitch() throws Exception {
        HazelcastCoordination first = cluster.start(0, TTL);
        cluster.start(1, TTL);
        HazelcastCoordination third = cluster.start(2, TTL);
        third.mode().tryAcquire().orElseThrow();

        CompletableFuture<SwitchOutcome> switching = CompletableFuture.supplyAsync(() -> switchTo(first, ClusterMode.READ_ONLY));
        // The switch has begun (and waits for the third member's write) before that member goes.
        await().atMost(Duration.ofSeconds(10)).until(() -> first.mode().current() == ClusterMode.DRAINING);
        assertThat(switching).isNotDone();
        LoopbackMembers.kill(third);

        assertThat(switching.get(30, TimeUnit.SECONDS).mode()).isEqualTo(ClusterMode.READ_ONLY);
    }

    @Test
    void standaloneNodeDrainsItsOwnWrites() throws Exception {
        try (StandaloneCoordination alone = new StandaloneCoordination()) {
            WritePermit write = alone.mode().tryAcquire().orElseThrow();
            CompletableFuture<SwitchOutcome> switching = CompletableFuture.supplyAsync(() -> switchTo(alone, ClusterMode.READ_ONLY));
            await().atMost(Duration.ofSeconds(5)).until(() -> alone.mode().current() == ClusterMode.DRAINING);
            assertThat(alone.mode().tryAcquire()).isEmpty();
            write.close();
            assertThat(switching.get(5, TimeUnit.SECONDS).mode()).isEqualTo(ClusterMode.READ_ONLY);
            assertThat(alone.mode().switchTo(ClusterMode.READ_WRITE, Duration.ofSeconds(1)).mode()).isEqualTo(ClusterMode.READ_WRITE);
            assertThat(alone.mode().tryAcquire()).isPresent();
        }
    }

    private static SwitchOutcome switchTo(dev.fleetmirror.coordination.Coordination member, ClusterMode mode) {
        try {
            return member.mode().switchTo(mode, Duration.ofSeconds(20));
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
