package dev.fleetmirror.node.upstream;

/**
 * An upstream answered 2xx with something an operation cannot use (no Content-Length on a blob
 * HEAD, a tag list that is not JSON, an oversize manifest). The caller reports it as a 502 naming
 * the upstream.
 */
final class MalformedAnswer extends RuntimeException {
    MalformedAnswer(String what) {
        super(what, null, false, false);
    }
}
