package dev.fleetmirror.node.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fleetmirror.core.error.ErrorCode;
import dev.fleetmirror.core.error.RegistryException;
import dev.fleetmirror.node.api.ApiHeaders;
import dev.fleetmirror.node.http.Dispatcher;
import dev.fleetmirror.node.api.ErrorResponses;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * The node's own endpoints, wired in one place. Under {@value #PREFIX} every request goes path ->
 * method -> access -> {@link AdminEndpoint}: an unknown path is 404 NAME_UNKNOWN, another method 405
 * UNSUPPORTED with {@code Allow}, a caller without the cluster secret (or, on a node without one,
 * not on this machine) 401 UNAUTHORIZED ({@link PeerAccess}); the endpoint's answer is sent as JSON
 * and its failure as an OCI error body. With {@code auth:} on, admins only reach {@value #PREFIX}
 * at all. Pages outside it (the status page, metrics, health probes) are mounted beside it, open or
 * for admins only.
 */
public final class AdminRouter implements Handler<HttpServerRequest> {
    public static final String PREFIX = "/admin";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Optional<String> secret;
    private final Map<String, AdminEndpoint> endpoints = new LinkedHashMap<>();
    private final Map<String, Page> pages = new LinkedHashMap<>();

    private record Page(Handler<HttpServerRequest> handler, boolean adminsOnly) {
    }

    /** @param secret {@code cluster.secret}; without one only callers on this machine reach {@value #PREFIX} */
    public AdminRouter(Optional<String> secret) {
        this.secret = secret;
    }

    public AdminRouter endpoint(AdminEndpoint endpoint) {
        String path = endpoint.route().path();
        if (!path.startsWith(PREFIX + "/")) {
            throw new IllegalArgumentException(path + " is not under " + PREFIX + "/");
        }
        endpoints.put(path, endpoint);
        return this;
    }

    /**
     * A page of the node outside {@value #PREFIX} that answers for itself: {@code adminsOnly} for what
     * names repositories (the status page), open for probes and metrics.
     */
    public AdminRouter page(String path, Handler<HttpServerRequest> handler, boolean adminsOnly) {
        pages.put(path, new Page(handler, adminsOnly));
        return this;
    }

    /**
     * Mounts {@value #PREFIX} and the pages on {@code dispatcher}; {@code adminOnly} wraps what needs
     * an admin when authentication is on (the identity without {@code auth:}).
     */
    public void mountOn(Dispatcher dispatcher, UnaryOperator<Handler<HttpServerRequest>> adminOnly) {
        dispatcher.mount(PREFIX, adminOnly.apply(this));
        pages.forEach((path, page) ->
                dispatcher.mount(path, page.adminsOnly() ? adminOnly.apply(page.handler()) : page.handler()));
    }

    @Override
    public void handle(HttpServerRequest request) {
        AdminEndpoint endpoint = endpoints.get(request.path());
        if (endpoint == null) {
            ErrorResponses.send(request, new RegistryException(ErrorCode.NAME_UNKNOWN, "no admin endpoint at "
                    + request.path() + "; there are " + String.join(", ", endpoints.keySet()), null, 404, null));
            return;
        }
        AdminRoute route = endpoint.route();
        if (!route.methods().contains(request.method())) {
            String allowed = route.methods().stream().map(HttpMethod::name).collect(Collectors.joining(", "));
            request.response().putHeader("Allow", allowed);
            ErrorResponses.send(request, new RegistryException(ErrorCode.UNSUPPORTED,
                    request.method() + " is not supported on " + route.path() + "; allowed: " + allowed));
            return;
        }
        if (!PeerAccess.permits(request, secret)) {
            ErrorResponses.send(request, new RegistryException(ErrorCode.UNAUTHORIZED,
                    "access to " + route.path() + " denied: " + PeerAccess.requirement(secret)));
            return;
        }
        if (!route.readsBody()) {
            ErrorResponses.discardBody(request);
        }
        endpoint.handle(request).onComplete(done -> {
            if (done.failed()) {
                ErrorResponses.send(request, done.cause());
            } else if (done.result() != AdminAnswer.SENT) {
                send(request, done.result());
            }
        });
    }

    private static void send(HttpServerRequest request, AdminAnswer answer) {
        Buffer body;
        try {
            body = Buffer.buffer(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(answer.json().orElseThrow()));
        } catch (Exception e) {
            ErrorResponses.send(request, e);
            return;
        }
        request.response().setStatusCode(answer.status())
                .putHeader("Content-Type", ApiHeaders.JSON)
                .putHeader("Content-Length", Integer.toString(body.length()))
                .putHeader("Cache-Control", "no-store");
        if (request.method() == HttpMethod.HEAD) {
            request.response().end();
        } else {
            request.response().end(body);
        }
    }
}
