package dev.fleetmirror.node.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TopRepositoriesTest {

    @Test
    void ranksByPullsMostFirst() {
        TopRepositories top = new TopRepositories(10);
        pull(top, "a", 3);
        pull(top, "b", 5);
        pull(top, "c", 1);
        assertThat(top.top(2)).containsExactly(new TopRepositories.Entry("b", 5, 0), new TopRepositories.Entry("a", 3, 0));
    }

    @Test
    void aFullTableReplacesTheLeastPulledAndKeepsTheHeavyHitters() {
        TopRepositories top = new TopRepositories(3);
        pull(top, "hot", 100);
        pull(top, "warm", 50);
        pull(top, "cold", 2);
        pull(top, "new", 1);
        // "new" took the place of "cold" and inherited its 2 pulls as the bound of its error.
        assertThat(top.top(10)).containsExactly(new TopRepositories.Entry("hot", 100, 0),
                new TopRepositories.Entry("warm", 50, 0), new TopRepositories.Entry("new", 3, 2));
        // One-off pulls share the last place (each inherits its predecessor's count): the heavy hitters stay.
        for (int i = 0; i < 40; i++) {
            top.pulled("one-off-" + i);
        }
        assertThat(top.top(3)).extracting(TopRepositories.Entry::repository).containsExactly("hot", "warm", "one-off-39");
        assertThat(top.top(3).get(2).pulls()).isEqualTo(43);
    }

    @Test
    void refusesAnEmptyTable() {
        assertThatThrownBy(() -> new TopRepositories(0)).isInstanceOf(IllegalArgumentException.class);
    }

    private static void pull(TopRepositories top, String repository, int times) {
        for (int i = 0; i < times; i++) {
            top.pulled(repository);
        }
    }
}
