package dev.fleetmirror.core.storage;

import java.io.Closeable;

/**
 * Writes one file. After {@link #commit()} the content is durable and readable at the path; a writer
 * that is closed without commit leaves the content resumable by a later {@code writer(path, true)},
 * possibly on another node, and {@link #cancel()} discards everything written. Whether uncommitted
 * bytes are already readable at the path is backend-specific (the filesystem writes in place like
 * Distribution; S3 shows nothing before the multipart upload completes): callers must not rely on
 * either.
 *
 * <p>Methods block and must be called from a worker thread, never from an event loop.
 */
public interface FileWriter extends Closeable {

    /** Appends bytes. */
    void write(byte[] bytes, int offset, int length);

    default void write(byte[] bytes) {
        write(bytes, 0, bytes.length);
    }

    /**
     * Total size of the file, including bytes written before this writer was opened. After a write
     * failed, the bytes actually stored (part of that write may have been).
     */
    long size();

    /** Makes the content durable and visible at the path. No writes after this. */
    void commit();

    /** Discards the file. No writes after this. */
    void cancel();

    /** Releases resources; content written so far stays resumable unless cancelled. */
    @Override
    void close();
}
