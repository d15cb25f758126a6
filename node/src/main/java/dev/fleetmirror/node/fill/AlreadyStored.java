package dev.fleetmirror.node.fill;

import dev.fleetmirror.core.digest.Digest;

/**
 * How a fill ends when it finds the blob already in storage (another member stored it between the
 * caller's lookup and its claim): nothing to fetch, read it from storage.
 */
public final class AlreadyStored extends RuntimeException {
    public AlreadyStored(Digest digest) {
        super(digest + " is already stored", null, false, false);
    }
}
