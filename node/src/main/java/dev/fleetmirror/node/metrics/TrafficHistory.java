package dev.fleetmirror.node.metrics;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The last hour of a node's traffic, per minute, for the status page's charts: requests, cache hits
 * and lookups, bytes of mirrored content served, bytes fetched upstream, and the most fills in
 * flight seen in the minute. A ring of {@value #MINUTES} slots fed by samples of the counters the
 * node keeps anyway ({@link Traffic.Totals}): a sample costs a few additions, no I/O, and each
 * minute holds what the counters grew by since the last sample of the minute before.
 */
public final class TrafficHistory {
    public static final int MINUTES = 60;
    private static final long MINUTE_MILLIS = 60_000;

    /** What one minute saw; {@code maxFills} is the most fills in flight at any sample of it. */
    record Minute(long epochMinute, Traffic.Totals grown, int maxFills) {
    }

    private final Minute[] slots = new Minute[MINUTES];
    private Traffic.Totals endOfPreviousMinute = Traffic.Totals.ZERO;
    private Traffic.Totals lastSample = Traffic.Totals.ZERO;
    private long currentMinute = Long.MIN_VALUE;

    /** Records the counters as they are at {@code epochMillis}; samples come in time order. */
    public synchronized void sample(long epochMillis, Traffic.Totals totals, int fillsInFlight) {
        long minute = Math.floorDiv(epochMillis, MINUTE_MILLIS);
        if (minute < currentMinute) {
            return;
        }
        if (minute != currentMinute) {
            endOfPreviousMinute = lastSample;
            currentMinute = minute;
        }
        Minute slot = slots[index(minute)];
        int maxFills = slot != null && slot.epochMinute() == minute ? Math.max(slot.maxFills(), fillsInFlight) : fillsInFlight;
        slots[index(minute)] = new Minute(minute, totals.minus(endOfPreviousMinute), maxFills);
        lastSample = totals;
    }

    /**
     * The hour up to {@code epochMillis}, oldest minute first: {@code minutes} (epoch minutes) and
     * one array per series, with null for a minute nothing was sampled in (before the node started).
     */
    public synchronized ObjectNode series(long epochMillis) {
        long now = Math.floorDiv(epochMillis, MINUTE_MILLIS);
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("firstMinute", (now - MINUTES + 1) * MINUTE_MILLIS);
        ArrayNode requests = out.putArray("requests");
        ArrayNode hitRatio = out.putArray("hitRatio");
        ArrayNode served = out.putArray("mirroredBytesServed");
        ArrayNode upstream = out.putArray("upstreamBytes");
        ArrayNode fills = out.putArray("fillsInFlight");
        for (long minute = now - MINUTES + 1; minute <= now; minute++) {
            Minute slot = slots[index(minute)];
            if (slot == null || slot.epochMinute() != minute) {
                for (ArrayNode series : new ArrayNode[] {requests, hitRatio, served, upstream, fills}) {
                    series.addNull();
                }
                continue;
            }
            Traffic.Totals grown = slot.grown();
            requests.add(grown.requests());
            if (grown.lookups() > 0) {
                hitRatio.add((double) (grown.hits() + grown.stale()) / grown.lookups());
            } else {
                hitRatio.addNull();
            }
            served.add(grown.mirroredBytesServed());
            upstream.add(grown.upstreamBytes());
            fills.add(slot.maxFills());
        }
        return out;
    }

    private static int index(long minute) {
        return (int) Math.floorMod(minute, (long) MINUTES);
    }
}
