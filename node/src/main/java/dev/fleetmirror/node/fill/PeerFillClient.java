package dev.fleetmirror.node.fill;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.error.ErrorCode;
import dev.fleetmirror.core.error.RegistryException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import dev.fleetmirror.node.http.RequestId;
import java.util.Optional;

/**
 * Opens streams of blobs other members are filling ({@link PeerProtocol}). Call it on an event-loop
 * context; its futures complete there.
 */
public final class PeerFillClient implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CONNECT_TIMEOUT_MS = 3_000;
    /** A peer that sends nothing for this long is taken for dead (a SIGSTOPped or partitioned member). */
    private static final long IDLE_TIMEOUT_MS = 20_000;

    private final HttpClientAgent http;
    private final Optional<String> secret;

    public PeerFillClient(Vertx vertx, Optional<String> secret) {
        this.http = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(CONNECT_TIMEOUT_MS).setKeepAlive(true),
                new PoolOptions().setHttp1MaxSize(32));
        this.secret = secret;
    }

    /** A peer's answer: its body (paused), starting at the offset asked for, and the blob's whole size. */
    public record PeerStream(HttpClientResponse body, long size) {
    }

    /** The member named by a lease fills nothing of that digest: its fill ended, or it never began. */
    public static final class NotFilling extends RuntimeException {
        NotFilling(String peer, Digest digest) {
            super(peer + " fills no " + digest, null, false, false);
        }
    }

    /**
     * Streams {@code digest} from {@code offset} off the member at {@code peerUrl}. Fails with
     * {@link NotFilling}, with the {@link RegistryException} the peer answered (its source refused
     * the blob), or with the I/O failure that kept the peer from answering.
     */
    public Future<PeerStream> open(String peerUrl, Digest digest, long offset) {
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET)
                .setAbsoluteURI(peerUrl + PeerProtocol.blobPath(digest, offset))
                .setIdleTimeout(IDLE_TIMEOUT_MS);
        secret.ifPresent(value -> options.putHeader(PeerProtocol.SECRET_HEADER, value));
        RequestId.current().ifPresent(id -> options.putHeader(RequestId.HEADER, id));
        return http.request(options).compose(request -> request.send()).compose(response -> {
            if (response.statusCode() == 200) {
                response.pause();
                return Future.succeededFuture(new PeerStream(response, sizeOf(response)));
            }
            if (response.statusCode() == 404 && PeerProtocol.NO_FILL.equals(response.getHeader(PeerProtocol.FILL_HEADER))) {
                response.end();
                return Future.failedFuture(new NotFilling(peerUrl, digest));
            }
            int status = response.statusCode();
            if (status == 401) {
                response.end();
                return Future.failedFuture(new RegistryException(ErrorCode.UNAVAILABLE, "cluster member " + peerUrl
                        + " refused this member's cluster secret; every member needs the same cluster.secret",
                        null, 503, null));
            }
            return response.body().compose(body -> Future.failedFuture(refusal(peerUrl, digest, status, body.toString())));
        });
    }

    private static long sizeOf(HttpClientResponse response) {
        try {
            return Long.parseLong(response.getHeader(PeerProtocol.BLOB_SIZE_HEADER));
        } catch (NumberFormatException | NullPointerException e) {
            return -1;
        }
    }

    /** The peer's OCI error as ours, so clients of this member see what the filling member's source said. */
    private static RegistryException refusal(String peer, Digest digest, int status, String body) {
        ErrorCode code = ErrorCode.UNKNOWN;
        String message = "cluster member " + peer + " answered " + status + " for " + digest;
        try {
            JsonNode error = JSON.readTree(body).path("errors").path(0);
            code = ErrorCode.valueOf(error.path("code").asText("UNKNOWN"));
            message = error.path("message").asText(message);
        } catch (Exception e) {
            // not an OCI error body: keep the generic message
        }
        return new RegistryException(code, message, null, status, null);
    }

    @Override
    public void close() {
        http.close();
    }
}
