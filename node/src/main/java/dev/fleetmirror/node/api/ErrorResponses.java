package dev.fleetmirror.node.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fleetmirror.core.digest.InvalidDigestException;
import dev.fleetmirror.core.name.InvalidNameException;
import dev.fleetmirror.core.error.ErrorCode;
import dev.fleetmirror.core.error.RegistryException;
import dev.fleetmirror.core.storage.StorageUnavailableException;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns any failure into the spec's error response, {@code {"errors":[{code,message,detail}]}},
 * with the status its code carries. Failures nobody anticipated become 500 UNKNOWN and are logged
 * once with their stack trace; the client sees no internals.
 */
public final class ErrorResponses {
    private static final Logger LOG = LoggerFactory.getLogger(ErrorResponses.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private ErrorResponses() {
    }

    public static RegistryException toRegistryException(Throwable failure, HttpServerRequest request) {
        // A blob stream wraps what failed it (e.g. the upstream's corrupt content) in an IOException.
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof RegistryException e) {
                return e;
            }
        }
        if (failure instanceof InvalidDigestException e) {
            return new RegistryException(ErrorCode.DIGEST_INVALID, e.getMessage());
        }
        if (failure instanceof InvalidNameException e) {
            return new RegistryException(ErrorCode.NAME_INVALID, e.getMessage());
        }
        if (failure instanceof StorageUnavailableException e) {
            LOG.warn("{} {}: storage unavailable: {}", request.method(), request.path(), e.getMessage());
            return new RegistryException(ErrorCode.UNAVAILABLE, "storage is unavailable, retry later");
        }
        LOG.error("{} {} failed", request.method(), request.path(), failure);
        return new RegistryException(ErrorCode.UNKNOWN, "internal error; see the registry's log");
    }

    /** Answers {@code request} with the error, unless the response has already started. */
    public static void send(HttpServerRequest request, Throwable failure) {
        HttpServerResponse response = request.response();
        if (failure instanceof HttpClosedException || response.closed()) {
            LOG.debug("{} {}: client went away", request.method(), request.path());
            return;
        }
        if (response.ended()) {
            return;
        }
        if (response.headWritten()) {
            LOG.warn("{} {} failed after the response started", request.method(), request.path(), failure);
            response.reset();
            return;
        }
        RegistryException error = toRegistryException(failure, request);
        discardBody(request);
        byte[] body = body(error);
        if (error instanceof AdvisesRetry advice) {
            advice.retryAfter().ifPresent(value -> response.putHeader("Retry-After", value));
        }
        response.setStatusCode(error.httpStatus())
                .putHeader("Content-Type", ApiHeaders.JSON)
                .putHeader("Content-Length", Integer.toString(body.length));
        if (request.method() == HttpMethod.HEAD) {
            response.end();
        } else {
            response.end(io.vertx.core.buffer.Buffer.buffer(body));
        }
    }

    /** Lets an unread (or partly read) request body drain so the connection stays usable. */
    public static void discardBody(HttpServerRequest request) {
        if (!request.isEnded()) {
            request.handler(chunk -> { });
            request.exceptionHandler(e -> { });
            request.endHandler(v -> { });
            request.resume();
        }
    }

    static byte[] body(RegistryException error) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode entry = root.putArray("errors").addObject();
        entry.put("code", error.code().name());
        entry.put("message", error.getMessage());
        if (error.detail() != null) {
            entry.set("detail", JSON.valueToTree(error.detail()));
        }
        try {
            return JSON.writeValueAsBytes(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
