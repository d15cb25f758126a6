package dev.fleetmirror.node.gc;

import dev.fleetmirror.coordination.Coordination;
import dev.fleetmirror.coordination.mode.ClusterMode;
import dev.fleetmirror.coordination.mode.SwitchOutcome;
import dev.fleetmirror.core.error.ErrorCode;
import dev.fleetmirror.core.error.RegistryException;
import java.time.Duration;

/**
 * The read-only switch as the GC uses it: the cluster's mode switch, with writes held during the
 * window, blocking until the switch is complete (it fails with the reason it was not), and each
 * mode recorded in storage's state snapshot for the offline {@code fleetmirror gc}.
 */
public record ClusterModeControl(Coordination coordination, StateSnapshots snapshots) implements GcService.ModeControl {
    /** How long a switch waits for every member's writes in flight to drain before it gives up. */
    public static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(60);

    @Override
    public void readOnly() throws Exception {
        SwitchOutcome outcome = coordination.mode().switchTo(ClusterMode.READ_ONLY, DRAIN_TIMEOUT, true);
        snapshots.write(outcome.mode());
        if (!outcome.succeeded()) {
            throw new RegistryException(ErrorCode.UNAVAILABLE, "the cluster did not become read-only: "
                    + outcome.failure().orElse("?"));
        }
    }

    @Override
    public void readWrite() throws Exception {
        snapshots.write(coordination.mode().switchTo(ClusterMode.READ_WRITE, DRAIN_TIMEOUT).mode());
    }
}
