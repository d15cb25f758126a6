package dev.fleetmirror.node.localcache;

import dev.fleetmirror.node.fill.OffsetStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A blob's bytes from the local tier (its copy, or the copy in progress) that go on from storage
 * when the tier fails them: a copy that stops part way (storage broke off, the local disk is full)
 * leaves each of its readers to fetch the rest itself, as it would have without the tier. Not when
 * the copy's bytes did not match the digest: those readers fail, so no client completes a body of
 * wrong bytes.
 */
final class TierStream extends OffsetStream {
    /** Storage's bytes of the blob from an offset. */
    interface Storage {
        InputStream open(long offset);
    }

    private final Storage storage;
    private InputStream current;
    private boolean fromStorage;

    TierStream(InputStream tier, long offset, Storage storage) {
        super(offset);
        this.current = tier;
        this.storage = storage;
    }

    @Override
    protected int readAt(long position, byte[] bytes, int offset, int length) throws IOException {
        try {
            return current.read(bytes, offset, length);
        } catch (IOException e) {
            if (fromStorage || e.getCause() instanceof LocalBlobCache.CorruptCopy) {
                throw e;
            }
            close();
            fromStorage = true;
            current = storage.open(position);
            return current.read(bytes, offset, length);
        }
    }

    @Override
    public void close() throws IOException {
        current.close();
    }
}
