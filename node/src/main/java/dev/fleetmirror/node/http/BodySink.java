package dev.fleetmirror.node.http;

/** Where a streamed request body goes; called on a storage worker, one call at a time. */
@FunctionalInterface
public interface BodySink {
    void write(byte[] bytes, int offset, int length);
}
