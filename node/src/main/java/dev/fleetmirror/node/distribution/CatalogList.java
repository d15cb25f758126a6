package dev.fleetmirror.node.distribution;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.registry.Page;
import dev.fleetmirror.node.auth.AccessDecider;
import dev.fleetmirror.node.auth.Action;
import dev.fleetmirror.node.api.ApiHeaders;
import dev.fleetmirror.node.http.Endpoint;
import dev.fleetmirror.node.http.Exchange;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code GET /v2/_catalog?n=&last=}. Without {@code n} a page holds {@link #DEFAULT_PAGE}
 * repositories (Distribution's {@code catalog.maxentries} default), since a catalog can be large.
 * With access rules it lists only repositories the caller may pull: storage pages of at least
 * {@link #SCAN_PAGE} names are read until {@code n} such names are found, at most
 * {@link #MAX_SCANNED_PAGES} per request. The {@code Link} to the next page continues after the last
 * name the response lists, never after a name the caller may not see (which would make {@code last=}
 * an oracle for hidden names); a scan that found nothing visible within its bound ends the listing.
 */
final class CatalogList implements Endpoint {
    static final int DEFAULT_PAGE = 1000;
    static final int MAX_SCANNED_PAGES = 10;
    static final int SCAN_PAGE = 1000;

    private record Listing(List<RepositoryName> visible, Optional<String> continueAfter) {
    }

    @Override
    public Future<Void> handle(Exchange exchange) {
        int n = Parameters.pageSize(exchange.query("n"), DEFAULT_PAGE);
        Optional<String> last = exchange.query("last").filter(s -> !s.isEmpty());
        return collect(exchange, n, last, new ArrayList<>(), 0)
                .compose(listing -> {
                    ObjectNode body = JsonBodies.object();
                    ArrayNode repositories = body.putArray("repositories");
                    listing.visible().forEach(r -> repositories.add(r.value()));
                    listing.continueAfter().ifPresent(after ->
                            exchange.response().putHeader("Link", Pagination.nextLink("/v2/_catalog", after, n)));
                    return JsonBodies.send(exchange, 200, ApiHeaders.JSON, body);
                });
    }

    private Future<Listing> collect(Exchange exchange, int n, Optional<String> last, List<RepositoryName> visible, int scanned) {
        boolean filtered = exchange.access() != AccessDecider.ALLOW_ALL;
        int wanted = n - visible.size();
        int read = filtered ? Math.max(wanted, SCAN_PAGE) : wanted;
        return exchange.services().workers()
                .run(() -> exchange.services().registry().catalog().list(read, last))
                .compose(page -> visibleOf(exchange, page).compose(allowed -> {
                    List<RepositoryName> taken = allowed.size() > wanted ? allowed.subList(0, wanted) : allowed;
                    visible.addAll(taken);
                    boolean moreInPage = taken.size() < allowed.size();
                    Optional<String> lastListed = visible.isEmpty() ? Optional.empty()
                            : Optional.of(visible.get(visible.size() - 1).value());
                    if (visible.size() >= n) {
                        return Future.succeededFuture(new Listing(visible,
                                page.more() || moreInPage ? lastListed : Optional.empty()));
                    }
                    Optional<String> lastSeen = page.items().isEmpty() ? Optional.empty()
                            : Optional.of(page.items().get(page.items().size() - 1).value());
                    if (!page.more() || lastSeen.isEmpty()) {
                        return Future.succeededFuture(new Listing(visible, Optional.empty()));
                    }
                    if (scanned + 1 >= MAX_SCANNED_PAGES) {
                        // Bounded work per request; continuing after a hidden name would reveal it.
                        return Future.succeededFuture(new Listing(visible, filtered ? lastListed : lastSeen));
                    }
                    return collect(exchange, n, lastSeen, visible, scanned + 1);
                }));
    }

    private static Future<List<RepositoryName>> visibleOf(Exchange exchange, Page<RepositoryName> page) {
        if (exchange.access() == AccessDecider.ALLOW_ALL) {
            return Future.succeededFuture(page.items());
        }
        List<Future<Boolean>> checks = page.items().stream()
                .map(repo -> exchange.access().decide(exchange.caller(), repo, Action.PULL).map(d -> d.allowed()))
                .toList();
        return Future.all(checks).map(all -> {
            List<RepositoryName> allowed = new ArrayList<>();
            for (int i = 0; i < checks.size(); i++) {
                if (checks.get(i).result()) {
                    allowed.add(page.items().get(i));
                }
            }
            return allowed;
        });
    }
}
