package dev.fleetmirror.node.upstream;

import io.vertx.core.Future;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import java.util.Map;

/**
 * One kind of request to an upstream registry (in the manner of Jib's RegistryEndpointProvider):
 * what to send and how to read a successful answer. Authentication, redirects and errors are the
 * shared {@link UpstreamCaller}'s business.
 */
public interface UpstreamOperation<T> {

    HttpMethod method();

    /** Path and query under the upstream's base URL, e.g. {@code /v2/library/redis/manifests/7}. */
    String path();

    /** The token scope the request needs, e.g. {@code repository:library/redis:pull}. */
    String scope();

    default Map<String, String> headers() {
        return Map.of();
    }

    /** What is asked for, for error messages ("blob sha256:.. of library/redis"). */
    String description();

    /**
     * Reads a 2xx answer. Called on the upstream's event loop as soon as the response arrives; an
     * operation that hands the body on must pause the response before returning.
     */
    Future<T> read(HttpClientResponse response);

    static String scopeOf(String repository) {
        return "repository:" + repository + ":pull";
    }
}
