package dev.fleetmirror.node.localcache;

import java.io.IOException;
import java.io.InputStream;

/**
 * A blob's bytes from the local tier (its copy, or the copy in progress) that go on from storage
 * when the tier fails them: a copy that stops part way (storage broke off, the local disk is full)
 * leaves each of its readers to fetch the rest itself, as it would have without the tier. Not when
 * the copy's bytes did not match the digest: those readers fail, so no client completes a body of
 * wrong bytes.
 */
final class TierStream extends InputStream {
    /** Storage's bytes of the blob from an offset. */
    interface Storage {
        InputStream open(long offset);
    }

    private final Storage storage;
    private InputStream current;
    private long position;
    private boolean fromStorage;

    TierStream(InputStream tier, long offset, Storage storage) {
        this.current = tier;
        this.position = offset;
        this.storage = storage;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] bytes, int offset, int length) throws IOException {
        int n;
        try {
            n = current.read(bytes, offset, length);
        } catch (IOException e) {
            if (fromStorage || e.getCause() instanceof LocalBlobCache.CorruptCopy) {
                throw e;
            }
            close();
            fromStorage = true;
            current = storage.open(position);
            n = current.read(bytes, offset, length);
        }
        if (n > 0) {
            position += n;
        }
        return n;
    }

    @Override
    public void close() throws IOException {
        current.close();
    }
}
