package dev.fleetmirror.node.admin;

import io.vertx.core.http.HttpMethod;
import java.util.List;

/**
 * Where an {@link AdminEndpoint} is and what it answers: its path (exactly, nothing below it), its
 * methods in the order the {@code Allow} header lists them (HEAD is answered as GET without a body),
 * and whether it reads the request body (any other body is let drain).
 */
public record AdminRoute(String path, List<HttpMethod> methods, boolean readsBody) {

    public AdminRoute {
        methods = List.copyOf(methods);
    }

    public static AdminRoute of(String path, HttpMethod... methods) {
        return new AdminRoute(path, List.of(methods), false);
    }

    public AdminRoute readingBody() {
        return new AdminRoute(path, methods, true);
    }
}
