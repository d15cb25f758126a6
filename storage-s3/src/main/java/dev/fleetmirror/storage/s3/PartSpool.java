package dev.fleetmirror.storage.s3;

import dev.fleetmirror.core.storage.StorageException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The bytes of the part being assembled, kept in a temporary file rather than on the heap: S3 needs
 * a part's length before its first byte, so up to {@code chunksize} bytes (10 MiB by default) wait
 * somewhere, and sixteen concurrent pushes must not cost 160 MiB of a node's heap.
 */
final class PartSpool implements AutoCloseable {
    private final String path;
    private final Path file;
    private final FileChannel channel;

    PartSpool(String path) {
        this.path = path;
        try {
            this.file = Files.createTempFile("fleetmirror-s3-part-", ".spool");
            this.channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new StorageException(path, "cannot create a spool file for the upload of " + path
                    + " in " + System.getProperty("java.io.tmpdir") + ": " + e.getMessage(), e);
        }
    }

    long size() {
        try {
            return channel.size();
        } catch (IOException e) {
            throw failure(e);
        }
    }

    void append(byte[] bytes, int offset, int length) {
        try {
            ByteBuffer buffer = ByteBuffer.wrap(bytes, offset, length);
            long position = channel.size();
            while (buffer.hasRemaining()) {
                position += channel.write(buffer, position);
            }
        } catch (IOException e) {
            throw failure(e);
        }
    }

    /** Appends exactly {@code length} bytes from a stream. */
    void append(InputStream in, long length) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long remaining = length;
        while (remaining > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, remaining));
            if (n < 0) {
                throw new IOException("stream ended " + remaining + " bytes early");
            }
            append(buffer, 0, n);
            remaining -= n;
        }
    }

    /** The spooled bytes, read from the file each time the SDK asks (it may sign, then send). */
    InputStream newInputStream() {
        try {
            return Channels.newInputStream(FileChannel.open(file, StandardOpenOption.READ));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path file() {
        return file;
    }

    void clear() {
        try {
            channel.truncate(0);
        } catch (IOException e) {
            throw failure(e);
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // A leftover temp file is harmless; the upload itself is not affected.
        }
    }

    private StorageException failure(IOException e) {
        return new StorageException(path, "spool file " + file + " of the upload of " + path + " failed: "
                + e.getMessage(), e);
    }
}
