package dev.fleetmirror.node.admin;

import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;

/**
 * One endpoint under {@code /admin/v1/} (in the spirit of Jib's one class per registry operation):
 * it says where it is and what it answers ({@link #route()}) and what it does ({@link #handle}). The
 * {@link AdminRouter} has checked the path, the method and the caller's access before it runs, and
 * sends its answer: the JSON body, or the OCI error body of a failure.
 */
public interface AdminEndpoint {

    AdminRoute route();

    Future<AdminAnswer> handle(HttpServerRequest request);
}
