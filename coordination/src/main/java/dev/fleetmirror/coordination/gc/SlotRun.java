package dev.fleetmirror.coordination.gc;

/**
 * A claimed run whose info sits in the one slot the cluster keeps for it (a Hazelcast map entry, or
 * a reference in memory): a phase replaces the info there only while it is still this run's (a
 * run ended meanwhile, as abandoned, stays ended), and closing clears it.
 */
abstract class SlotRun implements GcRun {
    private volatile GcRunInfo info;

    SlotRun(GcRunInfo info) {
        this.info = info;
    }

    /** Puts {@code to} in the slot (null: empties it) if {@code from} is still there; true if it did. */
    abstract boolean swap(GcRunInfo from, GcRunInfo to);

    @Override
    public final GcRunInfo info() {
        return info;
    }

    @Override
    public final void phase(String phase) {
        GcRunInfo next = info.inPhase(phase);
        if (swap(info, next)) {
            info = next;
        }
    }

    @Override
    public final void close() {
        swap(info, null);
    }
}
