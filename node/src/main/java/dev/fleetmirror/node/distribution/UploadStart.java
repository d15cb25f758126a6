package dev.fleetmirror.node.distribution;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.registry.Registry;
import dev.fleetmirror.core.error.RegistryException;
import dev.fleetmirror.core.registry.UploadSession;
import dev.fleetmirror.node.http.BodyEndpoint;
import dev.fleetmirror.node.api.ErrorResponses;
import dev.fleetmirror.node.api.NamespaceResolver;
import dev.fleetmirror.node.http.Exchange;
import io.vertx.core.Future;
import java.util.Optional;

/**
 * {@code POST /v2/<name>/blobs/uploads/}: a cross-repository mount ({@code ?mount=&from=}), a
 * monolithic upload ({@code ?digest=}, body is the blob), or a new upload session.
 *
 * <p>A mount links the blob only when the caller may pull {@code from} (its token and the access
 * rules say so) and {@code from} holds it; otherwise the client gets what the spec gives for a blob
 * that cannot be mounted, an upload session (202), so the answer tells nothing about content the
 * caller cannot read. A mount without {@code from} never links anything: it would have to search
 * repositories the caller may not read. {@code from} is the repository its name resolves to, as a
 * path's name is (a {@code default: true} upstream's bare name is its prefixed one): the pull check and
 * the link are on that repository.
 */
final class UploadStart implements BodyEndpoint {
    private final NamespaceResolver namespaces;

    UploadStart(NamespaceResolver namespaces) {
        this.namespaces = namespaces;
    }

    @Override
    public Future<Void> handle(Exchange exchange) {
        Registry registry = exchange.services().registry();
        Optional<String> mount = exchange.query("mount");
        if (mount.isPresent()) {
            Digest digest = Parameters.digest(mount.get());
            Optional<RepositoryName> from = exchange.query("from").filter(s -> !s.isEmpty())
                    .map(name -> namespaces.resolve(RepositoryName.of(name), Optional.empty()));
            if (from.isEmpty()) {
                return startSession(exchange);
            }
            return exchange.mayPull(from.get())
                    .compose(allowed -> allowed
                            ? exchange.services().workers().run(() -> registry.blobs().mount(exchange.repo(), from.get(), digest))
                            : Future.succeededFuture(Optional.<dev.fleetmirror.core.registry.BlobDescriptor>empty()))
                    .compose(mounted -> mounted.isPresent()
                            ? UploadTransfer.created(exchange, digest)
                            : startSession(exchange));
        }
        Optional<String> digestParam = exchange.query("digest");
        if (digestParam.isPresent()) {
            Digest digest = Parameters.digest(digestParam.get());
            String[] started = new String[1];
            return UploadTransfer.run(exchange, () -> {
                UploadSession session = registry.uploads().start(exchange.repo());
                started[0] = session.id();
                return session;
            }, Optional.of(digest))
                    .recover(failure -> discard(exchange, started[0]).transform(discarded -> Future.failedFuture(failure)))
                    .compose(outcome -> UploadTransfer.created(exchange, digest));
        }
        return startSession(exchange);
    }

    /**
     * A monolithic upload that failed (wrong digest, broken Content-Range, client gone) leaves no
     * session behind: nobody else knows its id, so it could only wait for purging.
     */
    private static Future<Void> discard(Exchange exchange, String uploadId) {
        if (uploadId == null) {
            return Future.succeededFuture();
        }
        return exchange.services().workers().run(() -> {
            try {
                exchange.services().registry().uploads().cancel(exchange.repo(), uploadId);
            } catch (RegistryException gone) {
                // completed and removed already, or cancelled
            }
            return null;
        });
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
