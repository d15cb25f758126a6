package dev.fleetmirror.node.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The status page's last hour: per-minute growth of the counters, in a ring of 60 minutes. */
class TrafficHistoryTest {
    private static final long MINUTE = 60_000;
    /** A minute boundary, as the wall clock gives them. */
    private static final long T0 = 29_000_000 * MINUTE;

    private final TrafficHistory history = new TrafficHistory();

    private static Traffic.Totals totals(long requests, long hits, long misses, long mirrored, long upstream) {
        return new Traffic.Totals(requests, hits, misses, 0, mirrored, mirrored, mirrored, upstream);
    }

    @Test
    void eachMinuteHoldsWhatTheCountersGrewByInIt() {
        history.sample(T0 + 1_000, totals(3, 1, 1, 100, 60), 2);
        history.sample(T0 + 30_000, totals(10, 3, 1, 500, 60), 5);
        history.sample(T0 + 55_000, totals(12, 3, 1, 700, 60), 1);
        history.sample(T0 + MINUTE + 5_000, totals(20, 7, 1, 900, 260), 0);

        ObjectNode hour = history.series(T0 + MINUTE + 6_000);
        assertThat(hour.path("firstMinute").asLong()).isEqualTo(T0 + MINUTE - 59 * MINUTE);
        assertThat(values(hour, "requests")).hasSize(60).endsWith(12L, 8L);
        assertThat(values(hour, "mirroredBytesServed")).endsWith(700L, 200L);
        assertThat(values(hour, "upstreamBytes")).endsWith(60L, 200L);
        assertThat(values(hour, "fillsInFlight")).endsWith(5L, 0L);
        assertThat(hour.path("hitRatio").get(58).asDouble()).isEqualTo(0.75);
        assertThat(hour.path("hitRatio").get(59).asDouble()).isEqualTo(1.0);
        // Before the first sample (the node had not started) there is no data, not zero.
        assertThat(values(hour, "requests").subList(0, 58)).containsOnlyNulls();
    }

    @Test
    void aMinuteWithoutLookupsHasNoHitRatio() {
        history.sample(T0, totals(5, 0, 0, 0, 0), 0);
        assertThat(history.series(T0).path("hitRatio").get(59).isNull()).isTrue();
        assertThat(history.series(T0).path("requests").get(59).asLong()).isEqualTo(5);
    }

    @Test
    void minutesOlderThanAnHourLeaveTheRing() {
        history.sample(T0, totals(1, 0, 0, 0, 0), 0);
        history.sample(T0 + 59 * MINUTE, totals(3, 0, 0, 0, 0), 0);
        assertThat(values(history.series(T0 + 59 * MINUTE), "requests")).startsWith(1L).endsWith(2L);

        // Minute 60 takes minute 0's slot: minute 0 is gone, not shown as the newest.
        history.sample(T0 + 60 * MINUTE, totals(7, 0, 0, 0, 0), 0);
        List<Long> requests = values(history.series(T0 + 60 * MINUTE), "requests");
        assertThat(requests).hasSize(60).endsWith(2L, 4L);
        assertThat(requests.stream().filter(v -> v != null).mapToLong(Long::longValue).sum()).isEqualTo(6);
        // Nobody sampled for two hours: the whole hour is empty.
        assertThat(values(history.series(T0 + 180 * MINUTE), "requests")).containsOnlyNulls();
    }

    @Test
    void aLateSampleOfAnEarlierMinuteIsIgnored() {
        history.sample(T0 + MINUTE, totals(4, 0, 0, 0, 0), 0);
        history.sample(T0 + 10_000, totals(9, 0, 0, 0, 0), 0);
        assertThat(values(history.series(T0 + MINUTE), "requests")).endsWith(null, 4L);
    }

    private static List<Long> values(JsonNode hour, String series) {
        List<Long> out = new ArrayList<>();
        hour.path(series).forEach(v -> out.add(v.isNull() ? null : v.asLong()));
        return out;
    }
}
