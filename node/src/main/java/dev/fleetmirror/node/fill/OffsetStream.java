package dev.fleetmirror.node.fill;

import java.io.IOException;
import java.io.InputStream;

/**
 * A blob's bytes from an offset, read only in bulk: a {@link Spool}'s readers and the local tier's
 * streams (its copy or the spool of one in progress, then storage) read at their position and move
 * it on by what they read. This class keeps that position and serves a single byte through the bulk
 * read, which {@link InputStream} leaves to each stream.
 */
public abstract class OffsetStream extends InputStream {
    private long position;

    protected OffsetStream(long offset) {
        this.position = offset;
    }

    /** Reads into {@code bytes} from {@code position}, as {@link InputStream#read(byte[], int, int)} does. */
    protected abstract int readAt(long position, byte[] bytes, int offset, int length) throws IOException;

    /** The offset in the blob of the next byte to read. */
    protected final long position() {
        return position;
    }

    @Override
    public final int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public final int read(byte[] bytes, int offset, int length) throws IOException {
        int n = readAt(position, bytes, offset, length);
        if (n > 0) {
            position += n;
        }
        return n;
    }
}
