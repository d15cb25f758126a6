package dev.fleetmirror.node.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.node.config.AuthConfig;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AccessRulesTest {
    private final AccessRules rules = new AccessRules(List.of(
            rule("team-a/*", Set.of("bob"), Set.of(), false, "pull"),
            rule("team-a/**", Set.of(), Set.of("team-a"), false, "pull", "push", "delete"),
            rule("docker.io/**", Set.of("*"), Set.of(), true, "pull"),
            rule("**", Set.of("root"), Set.of(), false, "pull", "push", "delete")),
            Map.of("team-a", Set.of("alice", "bob")), Set.of("root", "ops"));

    private static AuthConfig.Rule rule(String repo, Set<String> users, Set<String> groups, boolean anonymous, String... actions) {
        return new AuthConfig.Rule(repo, users, groups, anonymous, Set.of(actions));
    }

    private Caller user(String name) {
        return new Caller(Optional.of(name), rules.groupsOf(name), Optional.empty(), Optional.empty());
    }

    @Test
    void globsMatchWithinOrAcrossSegments() {
        assertThat(RepositoryGlob.of("team-a/*").matches("team-a/app")).isTrue();
        assertThat(RepositoryGlob.of("team-a/*").matches("team-a/x/app")).isFalse();
        assertThat(RepositoryGlob.of("team-a/**").matches("team-a/x/app")).isTrue();
        assertThat(RepositoryGlob.of("team-a/**").matches("team-a")).isTrue();
        assertThat(RepositoryGlob.of("team-a/**").matches("team-ab/app")).isFalse();
        assertThat(RepositoryGlob.of("*").matches("app")).isTrue();
        assertThat(RepositoryGlob.of("*").matches("a/app")).isFalse();
        assertThat(RepositoryGlob.of("**").matches("a/b/c")).isTrue();
        assertThat(RepositoryGlob.of("app.?").matches("app.1")).isTrue();
        assertThat(RepositoryGlob.of("app.?").matches("appx1")).as("dots are literal").isFalse();
    }

    @Test
    void firstMatchingRuleDecidesEvenWhenALaterOneWouldGrantMore() {
        // bob is in team-a, but the first rule naming him on team-a/* gives pull only.
        assertThat(rules.allowed(user("bob"), "team-a/app")).containsExactly(Action.PULL);
        assertThat(rules.allowed(user("bob"), "team-a/x/app")).containsExactlyInAnyOrder(Action.PULL, Action.PUSH, Action.DELETE);
        assertThat(rules.allowed(user("alice"), "team-a/app")).containsExactlyInAnyOrder(Action.PULL, Action.PUSH, Action.DELETE);
    }

    @Test
    void anonymousAndAnyUserMatchOnlyWhereARuleSaysSoAndEverythingElseIsDenied() {
        assertThat(rules.allowed(Caller.ANONYMOUS, "docker.io/library/redis")).containsExactly(Action.PULL);
        assertThat(rules.allowed(user("carol"), "docker.io/library/redis")).containsExactly(Action.PULL);
        assertThat(rules.allowed(Caller.ANONYMOUS, "team-a/app")).isEmpty();
        assertThat(rules.allowed(user("carol"), "team-a/app")).isEmpty();
        assertThat(rules.allowed(user("root"), "anything/at/all")).hasSize(3);
        assertThat(rules.decide(user("carol"), RepositoryName.of("team-a/app"), Action.PULL).result().allowed()).isFalse();
        assertThat(rules.decide(user("alice"), RepositoryName.of("team-a/app"), Action.PUSH).result().allowed()).isTrue();
    }

    @Test
    void groupsFromATokenCountLikeConfiguredOnes() {
        Caller fromToken = new Caller(Optional.of("dave"), Set.of("team-a"), Optional.empty(), Optional.empty());
        assertThat(rules.allowed(fromToken, "team-a/x/app")).contains(Action.PUSH);
    }

    @Test
    void adminsAreNamedUsersOrMembersOfNamedGroups() {
        AccessRules withGroups = new AccessRules(List.of(), Map.of("ops", Set.of("erin")), Set.of("root", "ops"));
        assertThat(withGroups.isAdmin(new Caller(Optional.of("erin"), withGroups.groupsOf("erin"), Optional.empty(),
                Optional.empty()))).isTrue();
        assertThat(withGroups.isAdmin(new Caller(Optional.of("root"), Set.of(), Optional.empty(), Optional.empty()))).isTrue();
        assertThat(withGroups.isAdmin(new Caller(Optional.of("bob"), Set.of(), Optional.empty(), Optional.empty()))).isFalse();
        assertThat(withGroups.isAdmin(Caller.ANONYMOUS)).isFalse();
    }

    @Test
    void methodsMapToActions() {
        assertThat(Action.of(io.vertx.core.http.HttpMethod.HEAD)).isEqualTo(Action.PULL);
        assertThat(Action.of(io.vertx.core.http.HttpMethod.PATCH)).isEqualTo(Action.PUSH);
        assertThat(Action.of(io.vertx.core.http.HttpMethod.POST)).isEqualTo(Action.PUSH);
        assertThat(Action.of(io.vertx.core.http.HttpMethod.DELETE)).isEqualTo(Action.DELETE);
    }
}
