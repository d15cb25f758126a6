package dev.fleetmirror.node.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.api.Test;

class AuthChallengeTest {

    @Test
    void bearerChallengeOfDockerHubIsParsed() {
        AuthChallenge challenge = AuthChallenge.parse("Bearer realm=\"https://auth.docker.io/token\","
                + "service=\"registry.docker.io\",scope=\"repository:library/redis:pull\"").orElseThrow();

        assertThat(challenge.isBearer()).isTrue();
        assertThat(challenge.parameter("realm")).hasValue("https://auth.docker.io/token");
        assertThat(challenge.parameter("service")).hasValue("registry.docker.io");
        assertThat(challenge.parameter("scope")).hasValue("repository:library/redis:pull");
    }

    @Test
    void quotedCommasEscapesAndBareTokensAreHandled() {
        AuthChallenge challenge = AuthChallenge.parse("bearer realm=\"https://a.example/t?x=1,2\", "
                + "service=reg, error=\"say \\\"hi\\\"\"").orElseThrow();

        assertThat(challenge.isBearer()).isTrue();
        assertThat(challenge.parameter("realm")).hasValue("https://a.example/t?x=1,2");
        assertThat(challenge.parameter("service")).hasValue("reg");
        assertThat(challenge.parameter("error")).hasValue("say \"hi\"");
    }

    @Test
    void basicChallengeAndGarbage() {
        assertThat(AuthChallenge.parse("Basic realm=\"registry\"").orElseThrow().isBasic()).isTrue();
        assertThat(AuthChallenge.parse(null)).isEmpty();
        assertThat(AuthChallenge.parse("<html>")).isEmpty();
    }

    @Test
    void credentialsGoOnlyToTheUpstreamsOwnRegistrableDomainOverHttps() {
        URI hub = URI.create("https://registry-1.docker.io");
        assertThat(CredentialPolicy.mayReceiveCredentials(hub, URI.create("https://auth.docker.io/token"))).isTrue();
        assertThat(CredentialPolicy.mayReceiveCredentials(URI.create("https://ghcr.io"), URI.create("https://ghcr.io/token"))).isTrue();
        assertThat(CredentialPolicy.mayReceiveCredentials(hub, URI.create("https://docker.io.evil.example/token"))).isFalse();
        assertThat(CredentialPolicy.mayReceiveCredentials(hub, URI.create("https://evil-docker.io/token"))).isFalse();
        assertThat(CredentialPolicy.mayReceiveCredentials(hub, URI.create("http://auth.docker.io/token"))).as("downgrade").isFalse();
        assertThat(CredentialPolicy.mayReceiveCredentials(URI.create("https://r.example.co.uk"),
                URI.create("https://auth.other.co.uk/token"))).as("public suffix co.uk").isFalse();
        assertThat(CredentialPolicy.mayReceiveCredentials(URI.create("https://r.example.co.uk"),
                URI.create("https://auth.example.co.uk/token"))).isTrue();
        assertThat(CredentialPolicy.mayReceiveCredentials(URI.create("http://127.0.0.1:5000"),
                URI.create("http://127.0.0.1:6000/token"))).as("same IP host").isTrue();
        assertThat(CredentialPolicy.mayReceiveCredentials(URI.create("http://127.0.0.1:5000"),
                URI.create("http://127.0.0.2/token"))).isFalse();
    }
}
