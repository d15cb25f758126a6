package dev.fleetmirror.coordination.gc;

import java.util.Optional;
import java.util.function.Consumer;

/**
 * The cluster's single garbage-collection run: at most one member collects at a time, and a run
 * whose member dies is found and ended by the oldest remaining member, which then restores what
 * the run changed (the cluster's mode). Calls may block briefly on the network: call them on a
 * worker thread.
 */
public interface GcRuns extends AutoCloseable {

    /** Claims the run for this member; empty when another member's run is in progress. */
    Optional<GcRun> claim(String trigger);

    /** The run in progress anywhere in the cluster. */
    Optional<GcRunInfo> current();

    /**
     * What to do when a run is found abandoned (its member left the cluster mid-run): called once
     * per abandoned run, on the oldest member, on a thread of its own.
     */
    void onAbandoned(Consumer<GcRunInfo> handler);

    @Override
    void close();
}
