package dev.fleetmirror.node.auth;

import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.node.config.AuthConfig;
import io.vertx.core.Future;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code access:} list: the first rule whose repository pattern matches and whose users,
 * groups or {@code anonymous} include the caller decides what it may do; no such rule, nothing
 * (default deny). Answers from memory, so the dispatcher's check costs no I/O.
 */
public final class AccessRules implements AccessDecider {
    private final List<CompiledRule> rules;
    private final Map<String, Set<String>> groups;
    private final Set<String> admins;

    private record CompiledRule(RepositoryGlob repository, AuthConfig.Rule rule, Set<Action> actions) {
    }

    public AccessRules(List<AuthConfig.Rule> rules, Map<String, Set<String>> groups, Set<String> admins) {
        this.rules = rules.stream().map(r -> new CompiledRule(RepositoryGlob.of(r.repository()), r, actions(r))).toList();
        this.groups = Map.copyOf(groups);
        this.admins = Set.copyOf(admins);
    }

    public static AccessRules of(AuthConfig config) {
        return new AccessRules(config.rules(), config.groups(), config.admins());
    }

    private static Set<Action> actions(AuthConfig.Rule rule) {
        Set<Action> actions = EnumSet.noneOf(Action.class);
        rule.actions().forEach(word -> Action.parse(word).ifPresent(actions::add));
        return actions;
    }

    /** The groups {@code user} belongs to by {@code auth.groups}. */
    public Set<String> groupsOf(String user) {
        Set<String> of = new HashSet<>();
        groups.forEach((group, members) -> {
            if (members.contains(user)) {
                of.add(group);
            }
        });
        return of;
    }

    /** What {@code caller} may do on {@code repository} (a name as the client wrote it, or resolved). */
    public Set<Action> allowed(Caller caller, String repository) {
        for (CompiledRule compiled : rules) {
            if (compiled.repository().matches(repository) && includes(compiled.rule(), caller)) {
                return compiled.actions();
            }
        }
        return Set.of();
    }

    private static boolean includes(AuthConfig.Rule rule, Caller caller) {
        if (caller.anonymous()) {
            return rule.anonymous();
        }
        String user = caller.user().get();
        if (rule.users().contains(user) || rule.users().contains("*")) {
            return true;
        }
        return caller.groups().stream().anyMatch(rule.groups()::contains);
    }

    /** Whether {@code caller} is named in {@code auth.admins}, itself or by one of its groups. */
    public boolean isAdmin(Caller caller) {
        return !caller.anonymous()
                && (admins.contains(caller.user().get()) || caller.groups().stream().anyMatch(admins::contains));
    }

    @Override
    public Future<Decision> decide(Caller caller, RepositoryName repository, Action action) {
        return Future.succeededFuture(allowed(caller, repository.value()).contains(action) ? Decision.ALLOW
                : Decision.deny((caller.anonymous() ? "anonymous callers" : "user " + caller)
                        + " may not " + action.word() + " " + repository.value()));
    }
}
