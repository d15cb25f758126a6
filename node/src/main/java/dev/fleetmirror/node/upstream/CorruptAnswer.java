package dev.fleetmirror.node.upstream;

/**
 * An upstream URL answered 2xx with content that does not hash to the digest asked for or claimed.
 * The caller reports it as corrupt content, skips that URL for a while and asks the next one.
 */
final class CorruptAnswer extends RuntimeException {
    CorruptAnswer(String what) {
        super(what, null, false, false);
    }
}
