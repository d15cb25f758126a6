package dev.fleetmirror.node.distribution;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fleetmirror.core.name.Tag;
import dev.fleetmirror.node.api.ApiHeaders;
import dev.fleetmirror.node.http.Endpoint;
import dev.fleetmirror.node.http.Exchange;
import dev.fleetmirror.node.api.Staleness;
import io.vertx.core.Future;
import java.util.Optional;

/** {@code GET /v2/<name>/tags/list?n=&last=}: without {@code n}, all tags, as the spec asks. */
final class TagList implements Endpoint {
    @Override
    public Future<Void> handle(Exchange exchange) {
        int n = Parameters.pageSize(exchange.query("n"), Integer.MAX_VALUE);
        Optional<String> last = exchange.query("last").filter(s -> !s.isEmpty());
        return exchange.services().workers()
                .run(() -> Staleness.observe(() -> exchange.services().registry().tags().list(exchange.repo(), n, last)))
                .compose(observed -> {
                    var page = Staleness.apply(exchange.response(), observed);
                    ObjectNode body = JsonBodies.object().put("name", exchange.repo().value());
                    ArrayNode tags = body.putArray("tags");
                    page.items().forEach(t -> tags.add(t.value()));
                    if (page.more() && !page.items().isEmpty()) {
                        Tag lastTag = page.items().get(page.items().size() - 1);
                        exchange.response().putHeader("Link", Pagination.nextLink(
                                "/v2/" + exchange.repo() + "/tags/list", lastTag.value(), n));
                    }
                    return JsonBodies.send(exchange, 200, ApiHeaders.JSON, body);
                });
    }
}
