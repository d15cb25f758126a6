package dev.fleetmirror.core.name;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RepositoryNameTest {

    @ParameterizedTest
    @ValueSource(strings = {"redis", "library/redis", "a/b/c/d", "my-org/my--app", "a.b_c__d", "0", "a1/2b",
            "ghcr.io/owner/app"})
    void acceptsNamesOfTheOciGrammar(String value) {
        assertThat(RepositoryName.of(value).value()).isEqualTo(value);
        assertThat(RepositoryName.isValid(value)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "..", "a/..", "../a", "a/../b", "a/./b", ".", "Library/redis", "REDIS",
            "/redis", "redis/", "a//b", "-a", "a-", "_a", "a_", "a___b", "a.-b", "a..b", "a/_uploads",
            "a b", "a\\b", "a\u0000b", "a:b", "a@b", "ünïcode"})
    void rejectsNamesOutsideTheGrammar(String value) {
        assertThatThrownBy(() -> RepositoryName.of(value)).isInstanceOf(InvalidNameException.class);
        assertThat(RepositoryName.isValid(value)).isFalse();
    }

    @Test
    void rejectsNull() {
        assertThatThrownBy(() -> RepositoryName.of(null)).isInstanceOf(InvalidNameException.class);
        assertThat(RepositoryName.isValid(null)).isFalse();
    }

    @Test
    void acceptsExactly255CharactersAndRejects256() {
        String ok = "a/".repeat(127) + "a";
        String tooLong = ok + "b";

        assertThat(ok).hasSize(255);
        assertThat(RepositoryName.of(ok).components()).hasSize(128);
        assertThatThrownBy(() -> RepositoryName.of(tooLong))
                .isInstanceOf(InvalidNameException.class)
                .hasMessageContaining("256");
    }

    @Test
    void hostileInputIsRejectedQuickly() {
        String hostile = "a-".repeat(127) + "!";

        org.assertj.core.api.Assertions.assertThatCode(() -> {
            long start = System.nanoTime();
            assertThat(RepositoryName.isValid(hostile)).isFalse();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
        }).doesNotThrowAnyException();
    }
}
