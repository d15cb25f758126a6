package dev.fleetmirror.node.http;

import dev.fleetmirror.node.api.AdvisesRetry;
import dev.fleetmirror.coordination.mode.ClusterMode;
import dev.fleetmirror.coordination.mode.ModeSwitch;
import dev.fleetmirror.coordination.mode.WritePermit;
import dev.fleetmirror.core.error.ErrorCode;
import dev.fleetmirror.core.error.RegistryException;
import java.util.Optional;

/**
 * Whether a request may write to storage: a node pinned read-only by
 * {@code storage.maintenance.readonly.enabled} never; otherwise while it holds a permit of the
 * cluster's {@link ModeSwitch}, which the read-only switch drains before storage becomes read-only.
 */
public final class WriteGate {
    /** Seconds a client is told to wait when the cluster is read-only for maintenance (a GC). */
    public static final String RETRY_AFTER_SECONDS = "60";

    private final boolean pinnedReadOnly;
    private final Optional<ModeSwitch> mode;

    private WriteGate(boolean pinnedReadOnly, Optional<ModeSwitch> mode) {
        this.pinnedReadOnly = pinnedReadOnly;
        this.mode = mode;
    }

    /** Every write allowed, no permits: for tests and tools that run no cluster. */
    public static WriteGate open() {
        return new WriteGate(false, Optional.empty());
    }

    public static WriteGate of(boolean pinnedReadOnly, ModeSwitch mode) {
        return new WriteGate(pinnedReadOnly, Optional.of(mode));
    }

    public static WriteGate pinned(boolean readOnly) {
        return new WriteGate(readOnly, Optional.empty());
    }

    /** A permit for one write, or the error the client gets (UNSUPPORTED, naming the maintenance). */
    public WritePermit acquire(String what) {
        if (pinnedReadOnly) {
            throw new RegistryException(ErrorCode.UNSUPPORTED, "the registry is in maintenance mode"
                    + " (storage.maintenance.readonly.enabled): " + what + " refused, pulls work");
        }
        if (mode.isEmpty()) {
            return () -> { };
        }
        return mode.get().tryAcquire().orElseThrow(() -> new Maintenance(what, mode.get().current()));
    }

    /** A permit when writing is allowed now; empty otherwise (a cache fill then serves without storing). */
    public Optional<WritePermit> tryAcquire() {
        if (pinnedReadOnly) {
            return Optional.empty();
        }
        return mode.isEmpty() ? Optional.of(() -> { }) : mode.get().tryAcquire();
    }

    /** The refusal while the cluster is read-only (or draining) for maintenance; clients retry later. */
    public static final class Maintenance extends RegistryException implements AdvisesRetry {
        Maintenance(String what, ClusterMode mode) {
            super(ErrorCode.UNSUPPORTED, "the registry is read-only for maintenance (garbage collection; cluster mode "
                    + mode + "): " + what + " refused, pulls work; retry in a minute");
        }

        @Override
        public Optional<String> retryAfter() {
            return Optional.of(RETRY_AFTER_SECONDS);
        }
    }
}
