package dev.fleetmirror.coordination.gc;

/**
 * This member's claim on the cluster's one GC run. Closing it ends the run for the cluster; a run
 * whose member leaves the cluster is ended by the oldest remaining member, which is told through
 * {@link GcRuns#onAbandoned}.
 */
public interface GcRun extends AutoCloseable {

    GcRunInfo info();

    /** Says where the run is, for {@code GET /admin/v1/gc} on any member. Blocks briefly. */
    void phase(String phase);

    @Override
    void close();
}
