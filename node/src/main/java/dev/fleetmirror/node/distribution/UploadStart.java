package dev.fleetmirror.node.distribution;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.registry.Registry;
import dev.fleetmirror.node.http.Endpoint;
import dev.fleetmirror.node.http.ErrorResponses;
import dev.fleetmirror.node.http.Exchange;
import io.vertx.core.Future;
import java.util.Optional;

/**
 * {@code POST /v2/<name>/blobs/uploads/}: a cross-repository mount ({@code ?mount=&from=}), a
 * monolithic upload ({@code ?digest=}, body is the blob), or a new upload session.
 */
final class UploadStart implements Endpoint {

    @Override
    public boolean readsBody() {
        return true;
    }

    @Override
    public Future<Void> handle(Exchange exchange) {
        Registry registry = exchange.services().registry();
        Optional<String> mount = exchange.query("mount");
        if (mount.isPresent()) {
            Digest digest = Parameters.digest(mount.get());
            Optional<RepositoryName> from = exchange.query("from").filter(s -> !s.isEmpty()).map(RepositoryName::of);
            return exchange.services().workers().run(() -> registry.blobs().mount(exchange.repo(), from, digest))
                    .compose(mounted -> mounted.isPresent()
                            ? UploadTransfer.created(exchange, digest)
                            : startSession(exchange));
        }
        Optional<String> digestParam = exchange.query("digest");
        if (digestParam.isPresent()) {
            Digest digest = Parameters.digest(digestParam.get());
            return UploadTransfer.run(exchange, () -> registry.uploads().start(exchange.repo()), Optional.of(digest))
                    .compose(outcome -> UploadTransfer.created(exchange, digest));
        }
        return startSession(exchange);
    }

    /** Starts an empty session; a body sent without a digest has nothing to belong to and is not stored. */
    private Future<Void> startSession(Exchange exchange) {
        return exchange.services().workers().run(() -> {
            try (var session = exchange.services().registry().uploads().start(exchange.repo())) {
                return session.id();
            }
        }).compose(id -> {
            UploadTransfer.describe(exchange.response(), exchange.repo(), id, 0);
            ErrorResponses.discardBody(exchange.request());
            return exchange.endEmpty(202);
        });
    }
}
