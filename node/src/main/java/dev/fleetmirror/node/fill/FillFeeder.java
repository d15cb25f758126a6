package dev.fleetmirror.node.fill;

import dev.fleetmirror.node.upstream.Route;
import dev.fleetmirror.node.http.ContentRange;
import dev.fleetmirror.node.http.RequestId;
import dev.fleetmirror.node.upstream.UpstreamFill;
import dev.fleetmirror.coordination.fill.FillClaim;
import dev.fleetmirror.coordination.fill.FillHolder;
import dev.fleetmirror.coordination.fill.FillLease;
import dev.fleetmirror.coordination.fill.FillOutcome;
import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.error.ErrorCode;
import dev.fleetmirror.core.error.RegistryException;
import dev.fleetmirror.node.upstream.BlobCheck;
import dev.fleetmirror.node.upstream.BlobPull;
import dev.fleetmirror.node.upstream.UpstreamException;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClientResponse;
import java.io.IOException;
import java.util.Optional;
import java.security.MessageDigest;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds one fill's spool on this member from whichever source the cluster allows. It claims the
 * blob's lease: the winner fetches from the upstream and stores what it fetched; the others stream
 * from the winner's peer endpoint. When a peer's stream breaks (the owner died, or left), the
 * feeder claims again and continues at the bytes it already has, with the same running hash, from
 * the new owner or, having won, from the upstream with a {@code Range} request. So a member that
 * dies mid-fill costs the cluster at most the bytes it had not passed on, and local clients of the
 * other members never see a broken stream. Nothing reaches a client's last byte, or storage,
 * unverified: the spool withholds the last byte until the whole blob hashed to its digest.
 *
 * <p>All callbacks run on the fills' event-loop context; blocking calls (leases, storage) go to
 * workers.
 */
final class FillFeeder {
    private static final Logger LOG = LoggerFactory.getLogger(FillFeeder.class);
    private static final long FIRST_RETRY_MS = 100;
    private static final long LAST_RETRY_MS = 1_000;

    private final Fill fill;
    private final Route route;
    /** The upstream's answer while this member fills from it: told when its bytes do not match their digest. */
    private UpstreamFill<HttpClientResponse> upstreamAnswer;
    private final RepositoryName repo;
    private final Digest digest;
    private final FillSources sources;
    private final MessageDigest hash;
    private long size = -1;
    private long progressAt = System.nanoTime();
    private long retryDelay = FIRST_RETRY_MS;
    private FillLease lease;
    private boolean storing;
    private boolean over;
    /** What the lease remembers for claims racing the end of this fill: set only by an owner that stored, or heard 404. */
    private FillOutcome outcome;
    /** Remembered "stored" outcomes found stale (the data deleted since); a few are forgotten, then it fails. */
    private int staleOutcomes;

    /** Whether our upstream confirmed the blob is in our repository (needed to follow a fill of another origin). */
    private boolean entitled;
    /** Whether this fill has streamed from another member yet: the wait is counted once. */
    private boolean followedPeer;
    /** The request that started the fill: its id goes along with the fill's upstream and peer requests. */
    private final Optional<String> requestId;

    FillFeeder(Fill fill, Route route, RepositoryName repo, FillSources sources) {
        this.fill = fill;
        this.route = route;
        this.repo = repo;
        this.digest = fill.digest();
        this.sources = sources;
        this.hash = digest.algorithm().newMessageDigest();
        this.requestId = RequestId.current();
    }

    void start() {
        sources.context().runOnContext(v -> claim());
    }

    private void claim() {
        blocking(() -> sources.leases().claim(digest, route.origin())).onComplete(claimed -> {
            if (claimed.failed()) {
                retry(claimed.cause());
            } else if (claimed.result() instanceof FillClaim.Won won) {
                own(won.lease());
            } else if (claimed.result() instanceof FillClaim.Held held) {
                follow(held.holder());
            } else {
                settled((FillClaim.Settled) claimed.result());
            }
        });
    }

    /**
     * A fill of the blob ended a moment ago (between our caller's look into storage and our claim):
     * it stored the blob, or its upstream, which is ours, answered 404 (the lease only says so to a
     * claim of the same origin). Either way nothing is fetched again.
     */
    private void settled(FillClaim.Settled ended) {
        if (ended.outcome() != FillOutcome.STORED) {
            fail(notInRepository());
            return;
        }
        blocking(() -> sources.dataStored().test(digest)).onComplete(stored -> {
            if (stored.failed() || stored.result()) {
                fail(new AlreadyStored(digest, ended.origin()));
            } else if (staleOutcomes++ < 2) {
                // Stored a moment ago, deleted since (a GC swept it, or expiry): fetched again.
                blocking(() -> {
                    sources.leases().forgetStored(digest);
                    return null;
                }).onComplete(forgotten -> claim());
            } else {
                fail(new IllegalStateException("the fill of " + digest + " keeps ending as stored, yet it is not"));
            }
        });
    }

    private RegistryException notInRepository() {
        return new RegistryException(ErrorCode.BLOB_UNKNOWN, "blob " + digest + " is not in repository " + repo
                + " (upstream " + route.upstream().name() + " does not have it)");
    }

    /**
     * This member fills the blob for the cluster: from the upstream, into the spool and storage. The
     * one storage check a cold miss makes is here, by the winner only: data stored for another
     * repository (a shared base layer) is linked after our upstream confirmed it, not fetched again.
     */
    private void own(FillLease won) {
        lease = won;
        blocking(() -> sources.dataStored().test(digest)).onComplete(stored -> {
            if (stored.succeeded() && stored.result()) {
                // Its last owner stored it between our caller's lookup and our claim.
                fail(new AlreadyStored(digest));
                return;
            }
            long offset = fill.spool().written();
            if (offset > 0) {
                LOG.info("taking over the fill of {} at byte {} from the upstream {}", digest, offset,
                        route.upstream().name());
            }
            Future<UpstreamFill<HttpClientResponse>> asked =
                    RequestId.within(requestId, () -> route.upstream().fill(new BlobPull(route.remoteName(), digest, offset)));
            asked.onComplete(answered -> {
                if (answered.failed() && answered.cause() instanceof UpstreamException e && e.isNotFound()) {
                    // Every waiter, here and on other members, answers 404; the lease remembers it briefly.
                    outcome = FillOutcome.MISSING;
                    fail(notInRepository());
                } else if (answered.failed()) {
                    fail(answered.cause());
                } else {
                    // The upstream's concurrent-fill slot is held for the whole fill, storing included.
                    fill.finished().whenComplete((done, failure) -> answered.result().release());
                    upstreamAnswer = answered.result();
                    fromUpstream(answered.result().answer(), offset);
                }
            });
        });
    }

    private void fromUpstream(HttpClientResponse response, long offset) {
        String upstream = route.upstream().name();
        long total = headerLong(response, "Content-Length");
        long skip = offset;
        if (response.statusCode() == 206) {
            Optional<ContentRange> range = ContentRange.ofResponse(response.getHeader("Content-Range"));
            if (range.isEmpty() || range.get().first() != offset) {
                response.request().reset();
                fail(UpstreamException.corrupt(upstream, "asked for " + digest + " from byte " + offset + ", got "
                        + response.getHeader("Content-Range")));
                return;
            }
            total = range.get().total();
            skip = 0;
        }
        if (!sized(total)) {
            response.request().reset();
            return;
        }
        if (size >= 0) {
            long announced = size;
            blocking(() -> {
                lease.announceSize(announced);
                return null;
            });
        }
        store();
        pump(response, skip, e -> UpstreamException.unreachable(upstream, e), true);
    }

    /**
     * Another member fills the blob: stream it from that member's spool, from what we have on. A fill
     * for another origin is followed only once our own upstream confirmed the blob is in our
     * repository: its bytes may have been fetched with credentials our readers do not share.
     */
    private void follow(FillHolder holder) {
        if (holder.memberId().equals(sources.memberId())) {
            // Our own earlier fill of this blob still holds the lease while it finishes storing.
            retry(new IllegalStateException("this member's previous fill of " + digest + " is finishing"));
            return;
        }
        if (!holder.sameOrigin(route.origin()) && !entitled) {
            RequestId.within(requestId, () -> route.upstream().call(new BlobCheck(route.remoteName(), digest)))
                    .onComplete(checked -> {
                        if (checked.succeeded()) {
                            entitled = true;
                            follow(holder);
                        } else if (checked.cause() instanceof UpstreamException e && e.isNotFound()) {
                            fail(new RegistryException(ErrorCode.BLOB_UNKNOWN, "blob " + digest + " is not in " + repo));
                        } else {
                            fail(checked.cause());
                        }
                    });
            return;
        }
        long offset = fill.spool().written();
        if (!followedPeer) {
            followedPeer = true;
            route.upstream().traffic().fillWait();
        }
        RequestId.within(requestId, () -> sources.peers().open(holder.peerUrl(), digest, offset)).onComplete(opened -> {
            if (opened.failed()) {
                if (opened.cause() instanceof RegistryException refused) {
                    fail(refused);
                } else {
                    retry(opened.cause());
                }
                return;
            }
            PeerFillClient.PeerStream stream = opened.result();
            if (!sized(stream.size())) {
                stream.body().request().reset();
                return;
            }
            pump(stream.body(), 0, e -> new IOException("cluster member " + holder.peerUrl() + " stopped sending "
                    + digest + ": " + e.getMessage(), e), false);
        });
    }

    private void pump(HttpClientResponse body, long skip, UnaryOperator<Throwable> sourceFailure, boolean fromUpstream) {
        long before = fill.spool().written();
        new SpoolPump(body, fill.spool(), hash, skip, sourceFailure, sources.spoolWriters()).start().onComplete(pumped -> {
            if (fromUpstream) {
                route.upstream().traffic().upstreamBytes(route.upstream().name(), fill.spool().written() - before);
            }
            if (fill.spool().written() > before) {
                progressAt = System.nanoTime();
                retryDelay = FIRST_RETRY_MS;
            }
            if (pumped.succeeded()) {
                verify();
            } else if (fromUpstream) {
                fail(pumped.cause());
            } else {
                retry(pumped.cause());
            }
        });
    }

    private void verify() {
        long received = fill.spool().written();
        Digest actual = Digest.of(digest.algorithm(), hash.digest());
        String source = lease != null ? "upstream " + route.upstream().name() : "the cluster";
        if (size >= 0 && received != size) {
            fail(UpstreamException.corrupt(source, "blob " + digest + " was announced with " + size + " bytes but "
                    + received + " arrived"));
        } else if (!actual.equals(digest)) {
            LOG.warn("{} served {} bytes for {} that hash to {}; nothing is cached and every waiting client fails",
                    source, received, digest, actual);
            if (lease != null && upstreamAnswer != null) {
                // The upstream URL that sent them is skipped for a while when the upstream has others.
                upstreamAnswer.corrupt("blob " + digest + " hashes to " + actual);
            }
            fail(UpstreamException.corrupt(source, "blob " + digest + " hashes to " + actual));
        } else {
            fill.spool().complete();
            if (!storing) {
                end();
            }
        }
    }

    /** The first size a source announced is the blob's; a source announcing another is broken. */
    private boolean sized(long announced) {
        if (size < 0) {
            size = announced;
        } else if (announced >= 0 && announced != size) {
            fail(UpstreamException.corrupt(route.upstream().name(), "blob " + digest + " was announced with "
                    + announced + " bytes after " + size));
            return false;
        }
        fill.started().complete(size);
        return true;
    }

    /** Starts the owner's storage writer once; the fill ends when it is done. */
    private void store() {
        if (storing) {
            return;
        }
        storing = true;
        OwnerStorageWriter.start(fill, repo, route.upstream().name(), sources).onComplete(stored -> {
            if (stored.succeeded() && stored.result()) {
                outcome = FillOutcome.STORED;
            }
            end();
        });
    }

    /** Looks for another source after a broken one, unless the fill has waited too long for a byte. */
    private void retry(Throwable cause) {
        if (over) {
            return;
        }
        long stalledMs = (System.nanoTime() - progressAt) / 1_000_000;
        if (stalledMs > sources.stallLimit().toMillis()) {
            LOG.warn("giving up the fill of {} after {} ms without a byte: {}", digest, stalledMs, cause.getMessage());
            fail(new RegistryException(ErrorCode.UNAVAILABLE, "no cluster member could continue fetching " + digest
                    + " (" + cause.getMessage() + "); retry later", null, 503, cause));
            return;
        }
        LOG.debug("fill of {} looks for a new source in {} ms: {}", digest, retryDelay, cause.getMessage());
        sources.context().owner().setTimer(retryDelay, id -> claim());
        retryDelay = Math.min(retryDelay * 2, LAST_RETRY_MS);
    }

    /** Every local reader fails with {@code cause}; an owner's storage writer ends the fill when it sees that. */
    private void fail(Throwable cause) {
        fill.started().completeExceptionally(cause);
        fill.spool().fail(cause);
        if (!storing) {
            end();
        }
    }

    /** Releases the lease (after storing, so a new claimer finds the blob stored) and lets the registry forget the fill. */
    private void end() {
        if (over) {
            return;
        }
        over = true;
        FillLease held = lease;
        FillOutcome ended = outcome;
        Callable<Void> release = () -> {
            if (held != null && ended != null) {
                held.release(ended);
            } else if (held != null) {
                held.release();
            }
            fill.finished().complete(null);
            return null;
        };
        try {
            blocking(release);
        } catch (RejectedExecutionException closing) {
            // The node is shutting down and its workers are gone: release here, the event loop is closing too.
            try {
                release.call();
            } catch (Exception e) {
                LOG.debug("releasing the fill of {} at shutdown failed: {}", digest, e.getMessage());
            }
        }
    }

    private <T> Future<T> blocking(Callable<T> task) {
        return sources.context().owner().executeBlocking(task, false);
    }

    private static long headerLong(HttpClientResponse response, String name) {
        String value = response.getHeader(name);
        try {
            return value == null ? -1 : Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
