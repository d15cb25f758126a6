package dev.fleetmirror.node.auth;

import java.util.List;
import java.util.Set;

/**
 * The {@code access} claim of a bearer token (Docker token spec): for each resource of type
 * {@code repository}, the actions granted. A request is allowed only what its token grants.
 */
public record TokenAccess(List<Grant> grants) {
    public TokenAccess {
        grants = List.copyOf(grants);
    }

    /** One entry of the claim: {@code {"type":"repository","name":"team-a/app","actions":["pull"]}}. */
    public record Grant(String type, String name, Set<Action> actions) {
        public Grant {
            actions = Set.copyOf(actions);
        }
    }

    public boolean allows(String repository, Action action) {
        for (Grant grant : grants) {
            if (grant.type().equals("repository") && grant.name().equals(repository) && grant.actions().contains(action)) {
                return true;
            }
        }
        return false;
    }
}
