package dev.fleetmirror.node.http;

import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.coordination.mode.WritePermit;
import dev.fleetmirror.core.registry.ErrorCode;
import dev.fleetmirror.core.registry.RegistryException;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Routes each request to its {@link Endpoint} by resource and method, after the checks every
 * endpoint shares: the API version header, a valid repository name (400 NAME_INVALID, never a
 * 500), the method (405 UNSUPPORTED) and maintenance mode (every write 405 UNSUPPORTED).
 */
public final class Dispatcher implements Handler<HttpServerRequest> {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Dispatcher.class);
    private final Map<ApiPath.Resource, Map<HttpMethod, Endpoint>> routes = new EnumMap<>(ApiPath.Resource.class);
    private final Map<String, Handler<HttpServerRequest>> mounts = new LinkedHashMap<>();
    private final NodeServices services;
    private final WriteGate writes;
    private final NamespaceResolver namespaces;

    public Dispatcher(NodeServices services, boolean readOnly) {
        this(services, WriteGate.pinned(readOnly), NamespaceResolver.NONE);
    }

    public Dispatcher(NodeServices services, WriteGate writes, NamespaceResolver namespaces) {
        this.services = services;
        this.writes = writes;
        this.namespaces = namespaces;
    }

    public Dispatcher route(ApiPath.Resource resource, HttpMethod method, Endpoint endpoint) {
        routes.computeIfAbsent(resource, r -> new LinkedHashMap<>()).put(method, endpoint);
        return this;
    }

    /**
     * Hands every request for {@code path}, or below it, to {@code handler} before the distribution
     * API sees it: the node's own endpoints (admin, peers) live outside {@code /v2/}.
     */
    public Dispatcher mount(String path, Handler<HttpServerRequest> handler) {
        mounts.put(path, handler);
        return this;
    }

    @Override
    public void handle(HttpServerRequest request) {
        if (!queryDecodes(request)) {
            return;
        }
        Handler<HttpServerRequest> mounted = mounted(request.path());
        if (mounted != null) {
            try {
                mounted.handle(request);
            } catch (RuntimeException e) {
                ErrorResponses.send(request, e);
            }
            return;
        }
        request.response().putHeader(ApiHeaders.API_VERSION, ApiHeaders.API_VERSION_VALUE);
        if (LOG.isDebugEnabled()) {
            long started = System.nanoTime();
            request.response().endHandler(v -> LOG.debug("{} {} -> {} in {} ms", request.method(), request.uri(),
                    request.response().getStatusCode(), (System.nanoTime() - started) / 1_000_000));
        }
        try {
            dispatch(request);
        } catch (RuntimeException e) {
            ErrorResponses.send(request, e);
        }
    }

    /**
     * Decodes the query string once up front: Netty throws on a malformed percent-escape the first
     * time a parameter is read, which would otherwise surface as a 500 wherever that happens.
     */
    private static boolean queryDecodes(HttpServerRequest request) {
        try {
            request.params();
            return true;
        } catch (IllegalArgumentException e) {
            request.response().putHeader(ApiHeaders.API_VERSION, ApiHeaders.API_VERSION_VALUE);
            ErrorResponses.send(request, new RegistryException(ErrorCode.UNSUPPORTED,
                    "the query string is not valid percent-encoding: " + e.getMessage(), null, 400, null));
            return false;
        }
    }

    private Handler<HttpServerRequest> mounted(String path) {
        for (Map.Entry<String, Handler<HttpServerRequest>> mount : mounts.entrySet()) {
            if (path.equals(mount.getKey()) || path.startsWith(mount.getKey() + "/")) {
                return mount.getValue();
            }
        }
        return null;
    }

    private void dispatch(HttpServerRequest request) {
        Optional<ApiPath> path = ApiPath.parse(request.path());
        Map<HttpMethod, Endpoint> methods = path.map(p -> routes.get(p.resource())).orElse(null);
        if (methods == null) {
            throw new RegistryException(ErrorCode.NAME_UNKNOWN,
                    "no endpoint of the distribution API at " + request.path(), null, 404, null);
        }
        Endpoint endpoint = methods.get(request.method());
        if (endpoint == null) {
            String allowed = methods.keySet().stream().map(HttpMethod::name).collect(Collectors.joining(", "));
            request.response().putHeader("Allow", allowed);
            throw new RegistryException(ErrorCode.UNSUPPORTED,
                    request.method() + " is not supported on " + request.path() + "; allowed: " + allowed);
        }
        // Only the base and the catalog are outside a repository; elsewhere an empty name (/v2//...) is NAME_INVALID.
        boolean global = path.get().resource() == ApiPath.Resource.BASE || path.get().resource() == ApiPath.Resource.CATALOG;
        RepositoryName repo = global ? null
                : namespaces.resolve(RepositoryName.of(path.get().name()), Optional.ofNullable(request.getParam("ns")));
        if (isWrite(request.method())) {
            // Held until the response ends or the connection drops: the read-only switch waits for it.
            WritePermit permit = writes.acquire("pushes and deletes are");
            request.response().endHandler(v -> permit.close());
            request.response().closeHandler(v -> permit.close());
        }
        if (endpoint.readsBody()) {
            request.pause();
        }
        Exchange exchange = new Exchange(request, repo, path.get().tail(), services);
        endpoint.handle(exchange).onFailure(failure -> ErrorResponses.send(request, failure));
    }

    private static boolean isWrite(HttpMethod method) {
        return method != HttpMethod.GET && method != HttpMethod.HEAD && method != HttpMethod.OPTIONS;
    }
}
