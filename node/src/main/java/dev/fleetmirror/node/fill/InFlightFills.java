package dev.fleetmirror.node.fill;

import dev.fleetmirror.core.digest.Digest;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * The fills in flight on this member, by digest: whoever asks for a blob that is not stored either
 * joins the fill already running or starts one, so a blob is fetched once however many clients
 * want it (across members, {@link FillFeeder} makes one member's fill the source of the others').
 * Every fill has an origin ({@link Fill#origin()}): a request joins a fill of another origin only
 * once it is known to be entitled to the blob. A fill is registered from its start until it is
 * over, and its spool retired when it leaves the registry, in one critical section with the joins,
 * so a joiner always gets a spool that is still readable.
 *
 * <p>Methods block: call them on worker threads.
 */
public final class InFlightFills {
    /** How long a joiner waits for the source to answer before giving up. */
    private static final long START_TIMEOUT_SECONDS = 120;

    private final Map<Digest, Fill> fills = new HashMap<>();
    private final Consumer<Fill> verified;

    public InFlightFills() {
        this(fill -> { });
    }

    /**
     * @param verified hears of each fill that ends with its whole content verified, while its spool
     *                 can still be read (it opens a reader to keep it); must not block
     */
    public InFlightFills(Consumer<Fill> verified) {
        this.verified = verified;
    }

    /** A reader of a fill in flight and the blob's whole size (-1 when the source did not say). */
    public record Tail(InputStream reader, long size) {
    }

    public InputStream follow(Digest digest, long offset, FillStarter starter) {
        return follow(digest, offset, null, starter);
    }

    public InputStream follow(Digest digest, long offset, String origin, FillStarter starter) {
        Fill fill;
        InputStream reader;
        synchronized (fills) {
            fill = fills.get(digest);
            if (fill != null && origin != null && !fill.sameOrigin(origin)) {
                throw new ForeignFill(digest);
            }
            boolean first = fill == null;
            if (first) {
                fill = starter.start(digest);
                fills.put(digest, fill);
            }
            reader = fill.spool().reader(offset);
            if (first) {
                // Registered after our reader exists: a fill that is over already is forgotten right here.
                Fill registered = fill;
                fill.finished().whenComplete((v, e) -> forget(registered));
            }
        }
        awaitStart(fill, reader);
        return reader;
    }

    /**
     * The size of the blob from the fill of {@code origin} in flight here, or from a fill started here
     * now by {@code starter}, once its source answered; no reader is opened (a HEAD needs none, a GET
     * opens one afterwards with {@link #join}). Fails with {@link ForeignFill} when a fill of another
     * origin is in flight, and with the fill's own failure when its source refused.
     *
     * @param started set to true when this call started the fill (else it joined one)
     */
    public long size(Digest digest, String origin, FillStarter starter, boolean[] started) {
        Fill fill;
        synchronized (fills) {
            fill = fills.get(digest);
            if (fill != null && !fill.sameOrigin(origin)) {
                throw new ForeignFill(digest);
            }
            if (fill == null) {
                fill = starter.start(digest);
                fills.put(digest, fill);
                started[0] = true;
                Fill registered = fill;
                fill.finished().whenComplete((v, e) -> forget(registered));
            }
        }
        return awaitStart(fill, null);
    }

    /**
     * A reader from {@code offset} of the fill in flight here, if there is one: of {@code origin}
     * (or of any origin when {@code origin} is null). Fails with {@link ForeignFill} for a fill of
     * another origin, and with the fill's own failure when its source refused.
     */
    public Optional<InputStream> join(Digest digest, long offset, String origin) {
        return tail(digest, offset, origin).map(Tail::reader);
    }

    public Optional<Tail> tail(Digest digest, long offset) {
        return tail(digest, offset, null);
    }

    private Optional<Tail> tail(Digest digest, long offset, String origin) {
        Fill fill;
        InputStream reader;
        synchronized (fills) {
            fill = fills.get(digest);
            if (fill == null) {
                return Optional.empty();
            }
            if (origin != null && !fill.sameOrigin(origin)) {
                throw new ForeignFill(digest);
            }
            reader = fill.spool().reader(offset);
        }
        return Optional.of(new Tail(reader, awaitStart(fill, reader)));
    }

    /** Waits for the fill's source to answer; closes {@code reader} (if any) when it refused or stayed silent. */
    private static long awaitStart(Fill fill, InputStream reader) {
        try {
            return fill.started().get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | CompletionException e) {
            closeQuietly(reader);
            throw asRuntime(e.getCause());
        } catch (TimeoutException e) {
            closeQuietly(reader);
            throw new IllegalStateException("the source of " + fill.digest() + " did not answer within "
                    + START_TIMEOUT_SECONDS + " s", e);
        } catch (InterruptedException e) {
            closeQuietly(reader);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the fill of " + fill.digest(), e);
        }
    }

    private void forget(Fill fill) {
        synchronized (fills) {
            fills.remove(fill.digest(), fill);
            try {
                if (fill.spool().isComplete()) {
                    verified.accept(fill);
                }
            } finally {
                fill.spool().retire();
            }
        }
    }

    /** The size of the blob being filled here, once its source said it (without waiting). */
    public OptionalLong sizeInFlight(Digest digest) {
        Fill fill;
        synchronized (fills) {
            fill = fills.get(digest);
        }
        if (fill == null || !fill.started().isDone() || fill.started().isCompletedExceptionally()) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(fill.started().join());
    }

    /** Fills in flight here now. */
    public int count() {
        synchronized (fills) {
            return fills.size();
        }
    }

    public boolean inFlight(Digest digest) {
        synchronized (fills) {
            return fills.containsKey(digest);
        }
    }

    private static RuntimeException asRuntime(Throwable cause) {
        return cause instanceof RuntimeException runtime ? runtime : new IllegalStateException(cause.getMessage(), cause);
    }

    private static void closeQuietly(InputStream in) {
        if (in == null) {
            return;
        }
        try {
            in.close();
        } catch (java.io.IOException e) {
            // a spool reader's close does no I/O
        }
    }
}
