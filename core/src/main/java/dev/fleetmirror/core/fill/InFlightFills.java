package dev.fleetmirror.core.fill;

import dev.fleetmirror.core.digest.Digest;
import java.io.InputStream;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The registry of blob fills in flight, keyed by digest: whoever asks for a blob that is not stored
 * either joins the fill already running or starts one, so a blob is fetched once however many
 * clients want it. Its scope is one node ({@link LocalInFlightFills}); across the cluster the
 * node's fill leases single out one owner per blob, whose fill the other nodes' fills stream from.
 *
 * <p>Methods block: call them on worker threads.
 */
public interface InFlightFills {

    /**
     * A stream of the blob from {@code offset}, following the fill in flight or one {@code starter}
     * starts. Returns once the source answered; bytes then arrive as the fill receives them.
     *
     * @throws dev.fleetmirror.core.registry.RegistryException (or another runtime exception) with the
     *         reason the source refused, when it did
     */
    InputStream follow(Digest digest, long offset, FillStarter starter);

    /**
     * As {@link #follow(Digest, long, FillStarter)}, for a caller of {@code origin} not yet known to
     * be entitled to the blob: it joins a fill in flight only when that fill is of the same origin.
     *
     * @throws ForeignFill when a fill of another origin is in flight: the caller checks its entitlement,
     *         then follows that fill with {@link #follow(Digest, long, FillStarter)}
     */
    InputStream follow(Digest digest, long offset, String origin, FillStarter starter);

    /** The size of the blob being filled, when a fill is in flight and its source has answered. */
    OptionalLong sizeInFlight(Digest digest);

    /** As {@link #sizeInFlight(Digest)}, only for a fill of {@code origin}. */
    OptionalLong sizeInFlight(Digest digest, String origin);

    /** True while a fill of {@code digest} is in flight. */
    boolean inFlight(Digest digest);

    /**
     * A stream of the blob from {@code offset} when a fill of it is in flight here (never starts
     * one), once its source answered: what other members of a cluster tail while this one fills.
     *
     * @throws RuntimeException with the reason the source refused, when it did
     */
    Optional<Tail> tail(Digest digest, long offset);

    /** A reader of a fill in flight and the blob's whole size (-1 when the source did not say). */
    record Tail(InputStream reader, long size) {
    }
}
