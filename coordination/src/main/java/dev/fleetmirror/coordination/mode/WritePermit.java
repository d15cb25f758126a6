package dev.fleetmirror.coordination.mode;

/** A storage write in flight on this member; the read-only switch waits until it is closed. */
public interface WritePermit extends AutoCloseable {
    @Override
    void close();
}
