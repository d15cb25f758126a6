package dev.fleetmirror.coordination.mode;

import java.time.Duration;
import java.util.Optional;

/** The mode of a node that is its own cluster: its own permits are all there is to drain. */
public final class LocalModeSwitch extends PermitsOfThisMember {
    private final Object switching = new Object();

    @Override
    public SwitchOutcome switchTo(ClusterMode target, Duration drainTimeout, boolean holdWrites) throws InterruptedException {
        synchronized (switching) {
            long started = System.nanoTime();
            boolean held = holdWrites && target == ClusterMode.READ_ONLY;
            if (target != ClusterMode.READ_ONLY) {
                permits.set(target, false);
                return new SwitchOutcome(target, Duration.ofNanos(System.nanoTime() - started), Optional.empty());
            }
            if (permits.mode() == ClusterMode.READ_ONLY) {
                return new SwitchOutcome(ClusterMode.READ_ONLY, Duration.ZERO, Optional.empty());
            }
            int left = permits.drainStarted(held);
            long deadline = started + drainTimeout.toNanos();
            while (left > 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
                left = permits.inFlight();
            }
            if (left > 0) {
                permits.set(ClusterMode.READ_WRITE, false);
                return new SwitchOutcome(ClusterMode.READ_WRITE, Duration.ofNanos(System.nanoTime() - started),
                        Optional.of(left + " write(s) still in flight after " + drainTimeout + "; back to read-write"));
            }
            permits.set(ClusterMode.READ_ONLY, held);
            return new SwitchOutcome(ClusterMode.READ_ONLY, Duration.ofNanos(System.nanoTime() - started), Optional.empty());
        }
    }

    @Override
    public Holds holds(boolean reset) {
        return permits.holds(reset);
    }

    @Override
    public void close() {
    }
}
