package dev.fleetmirror.node.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fleetmirror.core.testing.Draw;
import dev.fleetmirror.core.testing.SeededCases;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code WWW-Authenticate} values an upstream (or whoever sits between) may send: any text parses
 * to a challenge or to nothing, never an exception, and quoted parameter values with escapes come
 * back as they were sent. The cases are drawn from fixed seeds ({@link SeededCases}).
 */
class AuthChallengePropertiesTest {
    private static final String[] PIECES = {"Bearer ", "Basic ", "bearer", " ", ",", "=", "\"", "\\", "realm", "service",
        "scope", "=\"", "\",", "https://auth.example/token", "repository:a/b:pull", "\t", "==", ",,", "\\\"", "\u00e9"};

    static Stream<Arguments> headers() {
        return SeededCases.of(0x61757468L, 500, draw -> draw.oneOf(
                () -> draw.joined(0, 30, () -> draw.pick(PIECES)),
                () -> draw.text(120),
                () -> null));
    }

    @ParameterizedTest
    @MethodSource("headers")
    @NullAndEmptySource
    @ValueSource(strings = {"Bearer", "Bearer ", "Bearer realm", "Bearer realm=", "Bearer realm=\"", "Bearer realm=\"\\",
        "Bearer ,,,", "Bearer realm=\"a\",,service", "=", "Bearer =\"x\""})
    void anyHeaderParsesToAChallengeOrNothing(String header) {
        Optional<AuthChallenge> challenge = AuthChallenge.parse(header);
        challenge.ifPresent(c -> {
            assertThat(c.scheme()).isNotEmpty().isLowerCase();
            c.parameters().keySet().forEach(name -> assertThat(c.parameter(name)).isPresent());
        });
    }

    private static String value(Draw draw) {
        return draw.text("ab:/.,=\"\\ -_?&", 0, 40);
    }

    static Stream<Arguments> parameterValues() {
        return SeededCases.tuples(0x71756f74L, 300, draw -> List.of(value(draw), value(draw), value(draw)));
    }

    @ParameterizedTest
    @MethodSource("parameterValues")
    void quotedParametersRoundTrip(String realm, String service, String scope) {
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
