package dev.fleetmirror.node.http;

/**
 * An endpoint that streams the request body (a push: manifest, upload start, chunk, finish). Saying
 * so by type keeps the one answer {@link #readsBody()} gives in one place.
 */
public interface BodyEndpoint extends Endpoint {

    @Override
    default boolean readsBody() {
        return true;
    }
}
