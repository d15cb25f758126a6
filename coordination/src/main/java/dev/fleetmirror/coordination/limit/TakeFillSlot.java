package dev.fleetmirror.coordination.limit;

import com.hazelcast.map.EntryProcessor;
import java.util.Map;
import java.util.Set;

/**
 * Takes ({@code take}) or gives back one fill slot of an upstream for {@code member}, atomically on
 * the entry's owner, first dropping the counts of members not in {@code members} (the caller's view
 * of the cluster). Answers whether a slot was taken (always true for a give-back). Deterministic, so
 * backups run it as it is.
 */
record TakeFillSlot(String member, Set<String> members, int capacity, boolean take)
        implements EntryProcessor<String, FillCounts, Boolean> {

    TakeFillSlot {
        members = Set.copyOf(members);
    }

    @Override
    public Boolean process(Map.Entry<String, FillCounts> entry) {
        FillCounts before = entry.getValue() == null ? FillCounts.NONE : entry.getValue();
        FillCounts live = before.heldBy(members);
        boolean taken = !take || live.total() < capacity;
        FillCounts after = !take ? live.minusOne(member) : taken ? live.plusOne(member) : live;
        if (!after.equals(before)) {
            entry.setValue(after.byMember().isEmpty() ? null : after);
        }
        return taken;
    }
}
