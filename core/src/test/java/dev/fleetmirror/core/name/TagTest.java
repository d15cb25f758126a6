package dev.fleetmirror.core.name;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TagTest {

    @ParameterizedTest
    @ValueSource(strings = {"latest", "7", "v1.2.3", "_internal", "A-b_c.D", "sha256-abc.sig"})
    void acceptsTagsOfTheOciGrammar(String value) {
        assertThat(Tag.of(value).value()).isEqualTo(value);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".hidden", "-dash", "a/b", "a:b", "..", "a b", "a\u0000", "tag\n", "ä"})
    void rejectsTagsOutsideTheGrammar(String value) {
        assertThatThrownBy(() -> Tag.of(value)).isInstanceOf(InvalidNameException.class);
        assertThat(Tag.isValid(value)).isFalse();
    }

    @Test
    void acceptsExactly128CharactersAndRejects129() {
        assertThat(Tag.of("a".repeat(128)).value()).hasSize(128);
        assertThatThrownBy(() -> Tag.of("a".repeat(129))).isInstanceOf(InvalidNameException.class);
    }

    @Test
    void messageAbbreviatesHostileLongInput() {
        assertThatThrownBy(() -> Tag.of("a".repeat(100_000)))
                .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(300));
    }
}
