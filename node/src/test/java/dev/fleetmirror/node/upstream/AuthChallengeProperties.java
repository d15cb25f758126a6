package dev.fleetmirror.node.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * {@code WWW-Authenticate} values an upstream (or whoever sits between) may send: any text parses
 * to a challenge or to nothing, never an exception, and quoted parameter values with escapes come
 * back as they were sent.
 */
class AuthChallengeProperties {

    @Provide
    Arbitrary<String> headers() {
        Arbitrary<String> piece = Arbitraries.of("Bearer ", "Basic ", "bearer", " ", ",", "=", "\"", "\\", "realm", "service",
                "scope", "=\"", "\",", "https://auth.example/token", "repository:a/b:pull", "\t", "==", ",,", "\\\"", "\u00e9");
        return Arbitraries.oneOf(piece.list().ofMaxSize(30).map(parts -> String.join("", parts)),
                Arbitraries.strings().ofMaxLength(120), Arbitraries.just(null));
    }

    @Property(tries = 500)
    void anyHeaderParsesToAChallengeOrNothing(@ForAll("headers") String header) {
        Optional<AuthChallenge> challenge = AuthChallenge.parse(header);
        challenge.ifPresent(c -> {
            assertThat(c.scheme()).isNotEmpty().isLowerCase();
            c.parameters().keySet().forEach(name -> assertThat(c.parameter(name)).isPresent());
        });
    }

    @Provide
    Arbitrary<String> values() {
        return Arbitraries.strings().withChars("ab:/.,=\"\\ -_?&").ofMaxLength(40);
    }

    @Property(tries = 300)
    void quotedParametersRoundTrip(@ForAll("values") String realm, @ForAll("values") String service,
                                   @ForAll("values") String scope) {
        String header = "Bearer realm=" + quote(realm) + ",service=" + quote(service) + ", scope=" + quote(scope);

        AuthChallenge challenge = AuthChallenge.parse(header).orElseThrow();

        assertThat(challenge.isBearer()).isTrue();
        assertThat(challenge.parameter("realm")).contains(realm.trim());
        assertThat(challenge.parameter("service")).contains(service.trim());
        assertThat(challenge.parameter("scope")).contains(scope.trim());
    }

    private static String quote(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
