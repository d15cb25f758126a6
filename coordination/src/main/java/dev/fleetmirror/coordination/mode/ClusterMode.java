package dev.fleetmirror.coordination.mode;

/** Whether the cluster writes to storage: {@code READ_WRITE -> DRAINING -> READ_ONLY -> READ_WRITE}. */
public enum ClusterMode {
    /** Writes take permits and proceed. */
    READ_WRITE,
    /** No new write permits; the switch waits for the ones in flight on every member. */
    DRAINING,
    /** No storage writes anywhere in the cluster; pulls go on, cache misses pass through. */
    READ_ONLY
}
