package dev.fleetmirror.node.upstream;

import dev.fleetmirror.coordination.token.SharedToken;
import dev.fleetmirror.coordination.token.TokenKey;
import dev.fleetmirror.coordination.token.UpstreamTokens;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.net.URI;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's bearer tokens as one upstream's {@link BearerTokens} uses them: the shared cache
 * may block on the network, so it is reached on worker threads and answers on the upstream's
 * context. A cluster in trouble is no reason to fail a pull: a lookup then finds nothing and an
 * offer is dropped, and the upstream's token service is asked as a single node would.
 */
final class SharedBearerTokens {
    private static final Logger LOG = LoggerFactory.getLogger(SharedBearerTokens.class);

    private final Context context;
    private final UpstreamTokens shared;
    private final URI upstream;
    private final Optional<String> user;
    private final Optional<String> password;
    /** The credentials' name in the shared cache; hashed (slowly, on purpose) on a worker at first use. */
    private volatile String credentials;

    SharedBearerTokens(Context context, UpstreamTokens shared, URI upstream, Optional<String> user,
                       Optional<String> password) {
        this.context = context;
        this.shared = shared;
        this.upstream = upstream;
        this.user = user;
        this.password = password;
    }

    /** A token another member (or upstream caller) fetched for {@code scope}, on the upstream's context. */
    Future<Optional<SharedToken>> find(String scope) {
        return context.executeBlocking(() -> shared.get(key(scope)), false)
                .recover(failure -> {
                    LOG.warn("the cluster's token cache did not answer for {} {}: {}", upstream, scope, failure.toString());
                    return Future.succeededFuture(Optional.empty());
                });
    }

    /** Shares a token this caller fetched until {@code expires}. */
    void offer(String scope, String token, Instant expires) {
        context.executeBlocking(() -> {
            shared.put(key(scope), new SharedToken(token, expires));
            return null;
        }, false).onFailure(failure -> LOG.warn("could not share the token for {} {}: {}", upstream, scope,
                failure.toString()));
    }

    /** The upstream refused {@code token}: no member should use it any more. */
    void refused(String scope, String token) {
        context.executeBlocking(() -> {
            shared.forget(key(scope), token);
            return null;
        }, false).onFailure(failure -> LOG.warn("could not withdraw the refused token for {} {}: {}", upstream, scope,
                failure.toString()));
    }

    private TokenKey key(String scope) {
        String name = credentials;
        if (name == null) {
            name = TokenKey.credentials(upstream, user, password);
            credentials = name;
        }
        return new TokenKey(upstream, scope, name);
    }
}
