package dev.fleetmirror.coordination.gc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fleetmirror.coordination.HazelcastCoordination;
import dev.fleetmirror.coordination.LoopbackMembers;
import dev.fleetmirror.coordination.StandaloneCoordination;
import dev.fleetmirror.core.digest.Digest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The blobs pushes were told of, and those a sweep dooms, on real members over loopback: what one
 * member records the sweep on another keeps, a doomed blob is unknown to every member's pushes
 * until the sweep lifts it, and records end with their window.
 */
class PushedBlobsTest {
    private static final Duration TTL = Duration.ofSeconds(10);
    private final LoopbackMembers cluster = new LoopbackMembers(2);

    @AfterEach
    void stopMembers() {
        cluster.close();
    }

    private static Digest blob(String name) {
        return Digest.sha256(name.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void whatOneMemberToldAPushTheSweepOnAnotherKeepsAndWhatItDoomsIsUnknownEverywhereUntilLifted() {
        HazelcastCoordination pushes = cluster.start(0, TTL);
        HazelcastCoordination sweeper = cluster.start(1, TTL);
        Digest told = blob("told");
        Digest untold = blob("untold");

        assertThat(pushes.pushedBlobs().told(told, Duration.ofMinutes(5))).as("nothing doomed yet").isTrue();
        Set<String> kept = sweeper.pushedBlobs().doom(List.of(told.hex(), untold.hex()));
        assertThat(kept).as("kept: the blob a push was told of, not the other").containsExactly(told.hex());

        assertThat(pushes.pushedBlobs().told(untold, Duration.ofMinutes(5)))
                .as("a HEAD while the sweep deletes it: unknown").isFalse();
        assertThat(sweeper.pushedBlobs().told(untold, Duration.ofMinutes(5))).as("on the sweeping member too").isFalse();

        sweeper.pushedBlobs().lift();
        assertThat(pushes.pushedBlobs().told(untold, Duration.ofMinutes(5))).as("after the sweep").isTrue();
    }

    @Test
    void aRecordEndsWithItsWindowAndAZeroWindowRecordsNothing() {
        HazelcastCoordination member = cluster.start(0, TTL);
        Digest brief = blob("brief");
        Digest unrecorded = blob("unrecorded");
        member.pushedBlobs().told(brief, Duration.ofSeconds(3));
        member.pushedBlobs().told(unrecorded, Duration.ZERO);
        assertThat(member.pushedBlobs().doom(List.of(brief.hex(), unrecorded.hex())))
                .as("within its window; a zero window recorded nothing").containsExactly(brief.hex());
        member.pushedBlobs().lift();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    Set<String> kept = member.pushedBlobs().doom(List.of(brief.hex()));
                    member.pushedBlobs().lift();
                    return kept.isEmpty();
                });
    }

    @Test
    void aStandaloneNodeKeepsAndDoomsTheSame() {
        try (StandaloneCoordination alone = new StandaloneCoordination()) {
            Digest told = blob("told");
            Digest untold = blob("untold");
            alone.pushedBlobs().told(told, Duration.ofMinutes(5));
            assertThat(alone.pushedBlobs().doom(List.of(told.hex(), untold.hex()))).containsExactly(told.hex());
            assertThat(alone.pushedBlobs().told(untold, Duration.ofMinutes(5))).isFalse();
            alone.pushedBlobs().lift();
            assertThat(alone.pushedBlobs().told(untold, Duration.ofMinutes(5))).isTrue();
        }
    }
}
