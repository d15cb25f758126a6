package dev.fleetmirror.coordination;

import dev.fleetmirror.coordination.fill.FillLeases;
import dev.fleetmirror.coordination.gc.GcRuns;
import dev.fleetmirror.coordination.gc.PushedBlobs;
import dev.fleetmirror.coordination.gc.WriteJournal;
import dev.fleetmirror.coordination.limit.RateLimits;
import dev.fleetmirror.coordination.mode.ModeSwitch;

/**
 * The pieces a member shares with the others, built by each {@link Coordination} implementation
 * on its own medium (Hazelcast, or memory for a cluster of one) and handed out as one value, with
 * the id the others know the member by.
 */
public record SharedParts(String memberId, FillLeases fills, RateLimits limits, SharedCaches caches, GcRuns gcRuns, WriteJournal journal,
                          PushedBlobs pushed, ModeSwitch mode) {
}
