package dev.fleetmirror.coordination.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** What every {@link UpstreamTokens} guarantees, on one node or across members. */
abstract class UpstreamTokensContract {
    static final URI HUB = URI.create("https://registry-1.docker.io");
    static final String ROBOT = TokenKey.credentials(HUB, Optional.of("robot"), Optional.of("pa55"));

    abstract UpstreamTokens member(int index);

    /** A scope of its own for each test: the cluster outlives a test. */
    final String scope = "repository:team/app-" + UUID.randomUUID() + ":pull";
    final TokenKey key = new TokenKey(HUB, scope, ROBOT);

    @Test
    void tokenStoredByOneMemberServesAnother() {
        SharedToken token = new SharedToken("tok-1", Instant.now().plusSeconds(60));
        member(0).put(key, token);

        assertThat(member(1).get(key)).contains(token);
    }

    @Test
    void tokenEndsWhenItExpires() throws Exception {
        Instant expiry = Instant.now().plusMillis(1_500);
        member(0).put(key, new SharedToken("tok-short", expiry));
        assertThat(member(1).get(key)).isPresent();

        // The expiry itself is the condition: a moment past it, whatever Hazelcast still keeps.
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20)).until(() -> Instant.now().isAfter(expiry));

        assertThat(member(1).get(key)).as("past its expiry, even if the map still holds it").isEmpty();
    }

    @Test
    void anExpiredTokenIsNotOffered() {
        member(0).put(key, new SharedToken("tok-old", Instant.now().minusSeconds(1)));

        assertThat(member(1).get(key)).isEmpty();
    }

    @Test
    void tokensOfOtherCredentialsOrScopesAreNotShared() {
        member(0).put(key, new SharedToken("tok-robot", Instant.now().plusSeconds(60)));

        String other = TokenKey.credentials(HUB, Optional.of("robot"), Optional.of("other-password"));
        assertThat(member(1).get(new TokenKey(HUB, scope, other))).isEmpty();
        assertThat(member(1).get(new TokenKey(HUB, scope, TokenKey.ANONYMOUS))).isEmpty();
        assertThat(member(1).get(new TokenKey(HUB, scope + ",push", ROBOT))).isEmpty();
        assertThat(member(1).get(new TokenKey(URI.create("https://ghcr.io"), scope, ROBOT))).isEmpty();
    }

    @Test
    void forgettingARefusedTokenKeepsANewerOne() {
        member(0).put(key, new SharedToken("tok-refused", Instant.now().plusSeconds(60)));
        member(1).forget(key, "tok-refused");
        assertThat(member(2).get(key)).isEmpty();

        SharedToken newer = new SharedToken("tok-newer", Instant.now().plusSeconds(60));
        member(0).put(key, newer);
        member(1).forget(key, "tok-refused");

        assertThat(member(2).get(key)).contains(newer);
    }

    @Test
    void credentialsAreNamedByAHashThatDependsOnUserPasswordAndUpstream() {
        assertThat(ROBOT).startsWith("pbkdf2:").doesNotContain("robot").doesNotContain("pa55");
        assertThat(TokenKey.credentials(HUB, Optional.of("robot"), Optional.of("pa55"))).isEqualTo(ROBOT);
        assertThat(TokenKey.credentials(HUB, Optional.of("robot2"), Optional.of("pa55"))).isNotEqualTo(ROBOT);
        assertThat(TokenKey.credentials(URI.create("https://ghcr.io"), Optional.of("robot"), Optional.of("pa55")))
                .isNotEqualTo(ROBOT);
        assertThat(TokenKey.credentials(HUB, Optional.empty(), Optional.empty())).isEqualTo(TokenKey.ANONYMOUS);
    }
}
