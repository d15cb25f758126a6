package dev.fleetmirror.node.upstream;

import dev.fleetmirror.core.digest.Digest;

/** What every request about one blob shares; {@link BlobCheck} and {@link BlobPull} differ only in method and reading. */
interface BlobRequest<T> extends UpstreamOperation<T> {

    String repository();

    Digest digest();

    @Override
    default String path() {
        return "/v2/" + repository() + "/blobs/" + digest();
    }

    @Override
    default String scope() {
        return UpstreamOperation.scopeOf(repository());
    }

    @Override
    default String description() {
        return "blob " + digest() + " of " + repository();
    }
}
