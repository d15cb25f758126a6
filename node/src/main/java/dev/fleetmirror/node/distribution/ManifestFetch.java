package dev.fleetmirror.node.distribution;

import dev.fleetmirror.core.name.Reference;
import dev.fleetmirror.core.error.ErrorCode;
import dev.fleetmirror.core.error.RegistryException;
import dev.fleetmirror.core.registry.StoredManifest;
import dev.fleetmirror.node.api.ApiHeaders;
import dev.fleetmirror.node.http.Endpoint;
import dev.fleetmirror.node.http.Exchange;
import dev.fleetmirror.node.api.Staleness;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.Locale;

/**
 * {@code GET|HEAD /v2/<name>/manifests/<reference>}: the stored bytes, unchanged, with their media
 * type. Like Distribution, a manifest whose media type the client's Accept header does not list is
 * answered MANIFEST_UNKNOWN (404): the client said it could not use it, and rewriting manifests
 * (schema 1 conversion, picking a platform) would change their digest.
 */
final class ManifestFetch implements Endpoint {

    @Override
    public Future<Void> handle(Exchange exchange) {
        Reference reference = Parameters.existingReference(exchange.tail());
        return exchange.services().workers()
                .run(() -> Staleness.observe(() -> exchange.services().registry().manifests().get(exchange.repo(), reference)))
                .compose(observed -> {
                    var found = Staleness.apply(exchange.response(), observed);
                    StoredManifest manifest = found.orElseThrow(() -> new RegistryException(ErrorCode.MANIFEST_UNKNOWN,
                            "manifest " + reference + " is not in repository " + exchange.repo()));
                    if (!accepts(exchange.request().headers().getAll("Accept"), manifest.mediaType())) {
                        throw new RegistryException(ErrorCode.MANIFEST_UNKNOWN, "manifest " + reference + " is "
                                + manifest.mediaType() + ", which the request's Accept header does not list");
                    }
                    exchange.response().setStatusCode(200)
                            .putHeader("Content-Type", manifest.mediaType())
                            .putHeader(ApiHeaders.CONTENT_DIGEST, manifest.digest().toString())
                            .putHeader("Content-Length", Integer.toString(manifest.content().length));
                    return exchange.isHead()
                            ? exchange.response().end()
                            : exchange.response().end(Buffer.buffer(manifest.content()));
                });
    }

    /** No Accept header, a wildcard, or the exact media type among the listed ones. */
    static boolean accepts(List<String> acceptHeaders, String mediaType) {
        boolean listed = false;
        for (String header : acceptHeaders) {
            for (String entry : header.split(",")) {
                String type = entry.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
                if (type.isEmpty()) {
                    continue;
                }
                listed = true;
                if (type.equals("*/*") || type.equals("application/*") || type.equals(mediaType)) {
                    return true;
                }
            }
        }
        return !listed;
    }
}
