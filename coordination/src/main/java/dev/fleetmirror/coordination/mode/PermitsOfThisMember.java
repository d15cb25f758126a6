package dev.fleetmirror.coordination.mode;

import java.util.Optional;

/** What every mode switch answers from this member alone: its view of the mode and its permits. */
abstract class PermitsOfThisMember implements ModeSwitch {
    final MemberPermits permits = new MemberPermits();

    @Override
    public final ClusterMode current() {
        return permits.mode();
    }

    @Override
    public final Optional<WritePermit> tryAcquire() {
        return permits.tryAcquire();
    }

    @Override
    public final boolean holdsWrites() {
        return permits.holdsWrites();
    }

    @Override
    public final void holdStarted() {
        permits.holdStarted();
    }

    @Override
    public final void holdEnded(long millis, boolean granted) {
        permits.holdEnded(millis, granted);
    }

    @Override
    public final int inFlight() {
        return permits.inFlight();
    }
}
