package dev.fleetmirror.node.distribution;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.manifest.Descriptor;
import dev.fleetmirror.core.manifest.MediaTypes;
import dev.fleetmirror.node.api.ApiHeaders;
import dev.fleetmirror.node.http.Endpoint;
import dev.fleetmirror.node.http.Exchange;
import dev.fleetmirror.node.api.Staleness;
import io.vertx.core.Future;
import java.util.Optional;

/**
 * {@code GET /v2/<name>/referrers/<digest>[?artifactType=]}: an OCI image index of the manifests
 * whose subject is the digest; an unknown subject has an empty index, not a 404.
 */
final class ReferrerList implements Endpoint {
    @Override
    public Future<Void> handle(Exchange exchange) {
        Digest subject = Parameters.digest(exchange.tail());
        Optional<String> artifactType = exchange.query("artifactType").filter(s -> !s.isEmpty());
        return exchange.services().workers()
                .run(() -> Staleness.observe(() ->
                        exchange.services().registry().referrers().list(exchange.repo(), subject, artifactType)))
                .compose(observed -> {
                    var descriptors = Staleness.apply(exchange.response(), observed);
                    ObjectNode index = JsonBodies.object().put("schemaVersion", 2).put("mediaType", MediaTypes.OCI_INDEX);
                    ArrayNode manifests = index.putArray("manifests");
                    descriptors.forEach(d -> manifests.add(json(d)));
                    if (artifactType.isPresent()) {
                        exchange.response().putHeader(ApiHeaders.OCI_FILTERS_APPLIED, "artifactType");
                    }
                    return JsonBodies.send(exchange, 200, MediaTypes.OCI_INDEX, index);
                });
    }

    private static ObjectNode json(Descriptor d) {
        ObjectNode node = JsonBodies.object()
                .put("mediaType", d.mediaType())
                .put("digest", d.digest().toString())
                .put("size", d.size());
        if (d.artifactType() != null) {
            node.put("artifactType", d.artifactType());
        }
        if (!d.annotations().isEmpty()) {
            ObjectNode annotations = node.putObject("annotations");
            d.annotations().entrySet().stream().sorted(java.util.Map.Entry.comparingByKey())
                    .forEach(e -> annotations.put(e.getKey(), e.getValue()));
        }
        return node;
    }
}
