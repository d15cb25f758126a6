package dev.fleetmirror.core.fill;

import dev.fleetmirror.core.digest.Digest;
import java.util.concurrent.CompletableFuture;

/**
 * One blob being fetched once and shared: its spool, the moment its size is known (the source
 * answered; failed when it refused, with the error clients should get), and the moment it is over
 * (stored, or given up), after which the in-flight registry forgets it.
 */
public final class Fill {
    private final Digest digest;
    private final Spool spool;
    private final CompletableFuture<Long> started = new CompletableFuture<>();
    private final CompletableFuture<Void> finished = new CompletableFuture<>();

    public Fill(Digest digest, Spool spool) {
        this.digest = digest;
        this.spool = spool;
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
