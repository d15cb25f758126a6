package dev.fleetmirror.node.http;

import dev.fleetmirror.node.api.ErrorResponses;
import io.vertx.core.Future;

/**
 * One operation of the distribution API (in the spirit of Jib's one class per registry operation).
 * The returned future completes once the response is sent; a failure is answered by
 * {@link ErrorResponses}.
 */
public interface Endpoint {

    Future<Void> handle(Exchange exchange);

    /**
     * True for endpoints that stream the request body: the dispatcher pauses the request before
     * any asynchronous step so no chunk arrives before the endpoint listens. Such endpoints implement
     * {@link BodyEndpoint}.
     */
    default boolean readsBody() {
        return false;
    }
}
