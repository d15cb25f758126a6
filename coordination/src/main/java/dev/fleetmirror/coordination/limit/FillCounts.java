package dev.fleetmirror.coordination.limit;

import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The fill slots of one upstream held in a cluster, counted per member. Counting by member, not by
 * slot, is what frees a dead member's slots without any lease to renew: whoever next touches the
 * entry drops the counts of members no longer in the cluster.
 *
 * @param byMember slots held, by member id; members holding none are absent
 */
record FillCounts(Map<String, Integer> byMember) implements Serializable {
    static final FillCounts NONE = new FillCounts(Map.of());

    FillCounts {
        byMember = Map.copyOf(byMember);
    }

    int total() {
        return byMember.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** Without the counts of members that left. */
    FillCounts heldBy(Set<String> members) {
        if (members.containsAll(byMember.keySet())) {
            return this;
        }
        Map<String, Integer> live = new HashMap<>(byMember);
        live.keySet().retainAll(members);
        return new FillCounts(live);
    }

    FillCounts plusOne(String member) {
        Map<String, Integer> counts = new HashMap<>(byMember);
        counts.merge(member, 1, Integer::sum);
        return new FillCounts(counts);
    }

    /** One fewer for {@code member}; never below zero (its count may have been dropped while it was away). */
    FillCounts minusOne(String member) {
        Map<String, Integer> counts = new HashMap<>(byMember);
        counts.computeIfPresent(member, (m, n) -> n > 1 ? n - 1 : null);
        return new FillCounts(counts);
    }
}
