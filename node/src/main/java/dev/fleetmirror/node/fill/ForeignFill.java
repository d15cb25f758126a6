package dev.fleetmirror.node.fill;

import dev.fleetmirror.core.digest.Digest;

/**
 * A fill of the blob is in flight for another origin: the request may join it only after checking
 * that it is entitled to the blob itself (its own upstream has the blob in its repository).
 */
public final class ForeignFill extends RuntimeException {
    private final transient Digest digest;

    public ForeignFill(Digest digest) {
        super("a fill of " + digest + " for another repository is in flight", null, false, false);
        this.digest = digest;
    }

    public Digest digest() {
        return digest;
    }
}
