package dev.fleetmirror.node.fill;

import dev.fleetmirror.core.digest.Digest;
import java.util.concurrent.CompletableFuture;

/**
 * One blob being fetched once and shared: its spool, the moment its size is known (the source
 * answered; failed when it refused, with the error clients should get), and the moment it is over
 * (stored, or given up), after which the in-flight registry forgets it. Its origin says what the
 * bytes are fetched for (an upstream and a repository there): requests of that origin share the fill
 * freely; a request of another origin joins only once it is known to be entitled to the blob.
 */
public final class Fill {
    private final Digest digest;
    private final Spool spool;
    private final String origin;
    private final CompletableFuture<Long> started = new CompletableFuture<>();
    private final CompletableFuture<Void> finished = new CompletableFuture<>();

    /** A fill of unknown origin: only callers already entitled to the blob join it. */
    public Fill(Digest digest, Spool spool) {
        this(digest, spool, "");
    }

    public Fill(Digest digest, Spool spool, String origin) {
        this.digest = digest;
        this.spool = spool;
        this.origin = origin;
    }

    public String origin() {
        return origin;
    }

    /** Whether a request of {@code origin} may join without another check. */
    public boolean sameOrigin(String origin) {
        return !this.origin.isEmpty() && this.origin.equals(origin);
    }

    public Digest digest() {
        return digest;
    }

    public Spool spool() {
        return spool;
    }

    /** Completed with the blob's size once the source answered, or failed with why it did not. */
    public CompletableFuture<Long> started() {
        return started;
    }

    /** Completed when the fill is over, whatever the outcome. */
    public CompletableFuture<Void> finished() {
        return finished;
    }
}
