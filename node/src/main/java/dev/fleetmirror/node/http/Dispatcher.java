package dev.fleetmirror.node.http;

import dev.fleetmirror.node.api.NamespaceResolver;
import dev.fleetmirror.node.api.ErrorResponses;
import dev.fleetmirror.node.api.ApiHeaders;
import dev.fleetmirror.node.api.ApiPath;
import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.coordination.mode.WritePermit;
import dev.fleetmirror.core.error.ErrorCode;
import dev.fleetmirror.core.error.RegistryException;
import dev.fleetmirror.node.auth.RequestGuard;
import dev.fleetmirror.node.metrics.AccessLog;
import dev.fleetmirror.node.mode.WriteGate;
import dev.fleetmirror.node.metrics.Traffic;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Routes each request to its {@link Endpoint} by resource and method, after the checks every
 * endpoint shares: the API version header, a valid repository name (400 NAME_INVALID, never a
 * 500), the method (405 UNSUPPORTED) and maintenance mode (every write 405 UNSUPPORTED).
 */
public final class Dispatcher implements Handler<HttpServerRequest> {
    private final Map<ApiPath.Resource, Map<HttpMethod, Endpoint>> routes = new EnumMap<>(ApiPath.Resource.class);
    private final Map<String, Handler<HttpServerRequest>> mounts = new LinkedHashMap<>();
    private final NodeServices services;
    private final WriteGate writes;
    private final NamespaceResolver namespaces;
    private Traffic traffic = Traffic.unobserved();
    private AccessLog accessLog = AccessLog.OFF;
    private RequestGuard guard = RequestGuard.OPEN;
    private Predicate<RepositoryName> mirrored = repo -> false;

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

    /** Every route: the resources of the distribution API and the methods each answers (what tests enumerate). */
    public Map<ApiPath.Resource, java.util.Set<HttpMethod>> routeTable() {
        Map<ApiPath.Resource, java.util.Set<HttpMethod>> table = new EnumMap<>(ApiPath.Resource.class);
        routes.forEach((resource, methods) -> table.put(resource, java.util.Set.copyOf(methods.keySet())));
        return table;
    }

    /** Counts every request in {@code traffic} and writes it to {@code accessLog}. */
    public Dispatcher observe(Traffic traffic, AccessLog accessLog) {
        this.traffic = traffic;
        this.accessLog = accessLog;
        return this;
    }

    /**
     * Which repositories are mirrored: the bytes of their manifests and blobs are counted apart,
     * as the traffic a mirror saves its upstreams (hosted content saves none).
     */
    public Dispatcher mirrored(Predicate<RepositoryName> mirrored) {
        this.mirrored = mirrored;
        return this;
    }

    /** Admits every request of the distribution API through {@code guard} before its endpoint runs. */
    public Dispatcher guard(RequestGuard guard) {
        this.guard = guard;
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
        long started = System.nanoTime();
        String id = RequestId.of(request);
        request.response().putHeader(RequestId.HEADER, id);
        ResponseEnd end = ResponseEnd.install(request.response());
        String previous = RequestId.enter(id);
        try {
            Map.Entry<String, Handler<HttpServerRequest>> mounted = mounted(request.path());
            String route = mounted != null ? routeName(mounted.getKey()) : apiRoute(request.path());
            end.listen(closed -> answered(request, route, id, end.user(), started, closed));
            if (!queryDecodes(request)) {
                return;
            }
            if (mounted != null) {
                try {
                    mounted.getValue().handle(request);
                } catch (RuntimeException e) {
                    ErrorResponses.send(request, e);
                }
                return;
            }
            request.response().putHeader(ApiHeaders.API_VERSION, ApiHeaders.API_VERSION_VALUE);
            try {
                dispatch(request, end);
            } catch (RuntimeException e) {
                ErrorResponses.send(request, e);
            }
        } finally {
            RequestId.restore(previous);
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

    private void answered(HttpServerRequest request, String route, String id, String user, long started, boolean closed) {
        long nanos = System.nanoTime() - started;
        int status = request.response().getStatusCode();
        long bytes = request.response().bytesWritten();
        traffic.answered(route, request.method().name(), status, bytes, nanos);
        accessLog.answered(request, id, user, status, bytes, nanos, closed);
    }

    /**
     * A mount's metrics route: the first segment of its path ({@code /admin/v1/gc} is "admin"), or
     * the second under a reserved {@code /_name/} prefix ({@code /_fleetmirror/peer} is "peer").
     */
    static String routeName(String mountPath) {
        String[] segments = mountPath.substring(1).split("/");
        return segments[0].startsWith("_") && segments.length > 1 ? segments[1] : segments[0];
    }

    private static String apiRoute(String path) {
        return ApiPath.parse(path).map(p -> p.resource().name().toLowerCase(java.util.Locale.ROOT)).orElse("unknown");
    }

    private Map.Entry<String, Handler<HttpServerRequest>> mounted(String path) {
        for (Map.Entry<String, Handler<HttpServerRequest>> mount : mounts.entrySet()) {
            if (path.equals(mount.getKey()) || path.startsWith(mount.getKey() + "/")) {
                return mount;
            }
        }
        return null;
    }

    private void dispatch(HttpServerRequest request, ResponseEnd end) {
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
        boolean content = path.get().resource() == ApiPath.Resource.MANIFEST || path.get().resource() == ApiPath.Resource.BLOB;
        if (content && request.method() == HttpMethod.GET && mirrored.test(repo)) {
            end.listen(closed -> {
                int status = request.response().getStatusCode();
                if (status == 200 || status == 206) {
                    traffic.mirroredServed(request.response().bytesWritten());
                }
            });
        }
        if (path.get().resource() == ApiPath.Resource.MANIFEST && request.method() == HttpMethod.GET) {
            String pulled = repo.toString();
            end.listen(closed -> {
                if (request.response().getStatusCode() == 200) {
                    traffic.pulled(pulled);
                }
            });
        }
        if (endpoint.readsBody()) {
            request.pause();
        }
        Optional<String> id = RequestId.current();
        guard.admit(request, path.get(), repo)
                .compose(caller -> {
                    caller.user().ifPresent(user -> ResponseEnd.admitted(request.response(), user));
                    if (!isWrite(request.method())) {
                        // An admission that waited (a password check on a worker) continues here: the id goes along.
                        return RequestId.within(id, () -> endpoint.handle(new Exchange(request, repo, path.get().tail(),
                                services, caller, guard.access())));
                    }
                    // During a GC's read-only window the write waits here (parked, not blocking) until it closes.
                    Context context = Vertx.currentContext();
                    return writes.acquireHeld(context == null ? null : context.owner(), "pushes and deletes are")
                            .compose(permit -> {
                                // Held until the response ends or the connection drops: the read-only switch waits for it.
                                end.listen(closed -> permit.close());
                                return RequestId.within(id, () -> endpoint.handle(new Exchange(request, repo,
                                        path.get().tail(), services, caller, guard.access())));
                            });
                })
                .onFailure(failure -> ErrorResponses.send(request, failure));
    }

    private static boolean isWrite(HttpMethod method) {
        return method != HttpMethod.GET && method != HttpMethod.HEAD && method != HttpMethod.OPTIONS;
    }
}
