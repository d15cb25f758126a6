package dev.fleetmirror.node.fill;

import dev.fleetmirror.core.digest.Digest;

/**
 * How a fill ends when it finds the blob already in storage (another member stored it between the
 * caller's lookup and its claim, as storage or the fill's lease said): nothing to fetch, read it from
 * storage.
 */
public final class AlreadyStored extends RuntimeException {
    private final String origin;

    /** Found in storage, stored for a repository we do not know. */
    public AlreadyStored(Digest digest) {
        this(digest, "");
    }

    /** @param origin what the fill that stored it fetched it for (see {@link Fill#origin()}), empty when unknown */
    public AlreadyStored(Digest digest, String origin) {
        super(digest + " is already stored", null, false, false);
        this.origin = origin;
    }

    /**
     * Whether it was stored by a fill of {@code origin}, which linked it in that origin's repository:
     * a request of that origin needs no upstream check to link it.
     */
    public boolean sameOrigin(String origin) {
        return !this.origin.isEmpty() && this.origin.equals(origin);
    }
}
