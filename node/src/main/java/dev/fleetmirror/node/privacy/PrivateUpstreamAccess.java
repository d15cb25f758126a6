package dev.fleetmirror.node.privacy;

import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.node.auth.AccessDecider;
import dev.fleetmirror.node.auth.Action;
import dev.fleetmirror.node.auth.Caller;
import dev.fleetmirror.node.auth.Decision;
import dev.fleetmirror.node.config.UpstreamConfig;
import dev.fleetmirror.node.upstream.UpstreamCaller;
import io.vertx.core.Future;
import java.util.Optional;
import java.util.function.Function;

/**
 * Keeps what was fetched with an upstream's credentials for the callers allowed to read it, after
 * the access rules allowed the request: content of a {@code private} upstream's namespace is never
 * pulled by an anonymous caller (unless {@code allowAnonymousPrivateUpstream}), and with
 * {@code passThroughAuth} the caller's own credentials must also be good for that repository
 * upstream ({@link UpstreamCredentialCheck}). A bearer token of the built-in token service was
 * checked when it was issued (the token service asks this decider too, with the credentials it was
 * given), and one of an external issuer speaks for that issuer: a token naming a user is not checked
 * again. A token never makes an anonymous caller anything else: one issued to nobody reads no
 * private content, whatever it grants.
 */
public final class PrivateUpstreamAccess implements AccessDecider {

    /** Where a repository is mirrored from: its upstream and its name there. */
    public record Origin(UpstreamCaller caller, String remoteName) {
        UpstreamConfig upstream() {
            return caller.config();
        }
    }

    private final Function<RepositoryName, Optional<Origin>> origins;
    private final boolean allowAnonymous;
    private final UpstreamCredentialCheck check;

    public PrivateUpstreamAccess(Function<RepositoryName, Optional<Origin>> origins, boolean allowAnonymous,
                                 UpstreamCredentialCheck check) {
        this.origins = origins;
        this.allowAnonymous = allowAnonymous;
        this.check = check;
    }

    @Override
    public Future<Decision> decide(Caller caller, RepositoryName repository, Action action) {
        if (action != Action.PULL) {
            return Future.succeededFuture(Decision.ALLOW);
        }
        Optional<Origin> origin = origins.apply(repository);
        if (origin.isEmpty() || !origin.get().upstream().privacy().isPrivate()) {
            return Future.succeededFuture(Decision.ALLOW);
        }
        UpstreamConfig upstream = origin.get().upstream();
        boolean passThrough = upstream.privacy().passThroughAuth();
        if (passThrough && caller.basic().isPresent()) {
            String user = caller.basic().get().user();
            return check.allowed(origin.get().caller(), origin.get().remoteName(), caller.basic().get())
                    .map(allowed -> allowed ? Decision.ALLOW : Decision.deny("upstream " + upstream.name()
                            + " does not let " + user + " read " + origin.get().remoteName()
                            + ": its cached content is served only to callers the upstream admits"))
                    .recover(failure -> Future.succeededFuture(Decision.deny("could not ask upstream " + upstream.name()
                            + " whether " + user + " may read " + origin.get().remoteName() + " ("
                            + failure.getMessage() + "); try again")));
        }
        if (passThrough && caller.token().isPresent() && !caller.anonymous()
                && caller.token().get().allows(repository.value(), Action.PULL)) {
            // Granted pull on this very repository, after the token service's own upstream check.
            return Future.succeededFuture(Decision.ALLOW);
        }
        if (passThrough) {
            return Future.succeededFuture(Decision.deny(repository + " mirrors the private upstream " + upstream.name()
                    + ", which checks each caller's own credentials: send yours (Basic) or use a token of this registry"));
        }
        if (caller.anonymous() && !allowAnonymous) {
            return Future.succeededFuture(Decision.deny(repository + " mirrors the private upstream " + upstream.name()
                    + ": its content is served only to authenticated callers"));
        }
        return Future.succeededFuture(Decision.ALLOW);
    }
}
