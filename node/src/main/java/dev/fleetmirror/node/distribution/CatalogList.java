package dev.fleetmirror.node.distribution;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.node.http.ApiHeaders;
import dev.fleetmirror.node.http.Endpoint;
import dev.fleetmirror.node.http.Exchange;
import io.vertx.core.Future;
import java.util.Optional;

/**
 * {@code GET /v2/_catalog?n=&last=}. Without {@code n} a page holds {@link #DEFAULT_PAGE}
 * repositories (Distribution's {@code catalog.maxentries} default), since a catalog can be large.
 */
final class CatalogList implements Endpoint {
    static final int DEFAULT_PAGE = 1000;

    @Override
    public Future<Void> handle(Exchange exchange) {
        int n = Parameters.pageSize(exchange.query("n"), DEFAULT_PAGE);
        Optional<String> last = exchange.query("last").filter(s -> !s.isEmpty());
        return exchange.services().workers()
                .run(() -> exchange.services().registry().catalog().list(n, last))
                .compose(page -> {
                    ObjectNode body = JsonBodies.object();
                    ArrayNode repositories = body.putArray("repositories");
                    page.items().forEach(r -> repositories.add(r.value()));
                    if (page.more() && !page.items().isEmpty()) {
                        RepositoryName lastRepo = page.items().get(page.items().size() - 1);
                        exchange.response().putHeader("Link", Pagination.nextLink("/v2/_catalog", lastRepo.value(), n));
                    }
                    return JsonBodies.send(exchange, 200, ApiHeaders.JSON, body);
                });
    }
}
