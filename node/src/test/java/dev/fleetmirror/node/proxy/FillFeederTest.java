package dev.fleetmirror.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FillFeederTest {

    @Test
    void contentRangeGivesTheFirstByteAndTheTotal() {
        assertThat(FillFeeder.contentRange("bytes 100-199/1000")).containsExactly(100, 1000);
        assertThat(FillFeeder.contentRange("bytes 5-9/*")).containsExactly(5, -1);
    }

    @Test
    void malformedContentRangesAreRefused() {
        assertThat(FillFeeder.contentRange(null)).isNull();
        assertThat(FillFeeder.contentRange("items 1-2/3")).isNull();
        assertThat(FillFeeder.contentRange("bytes x-2/3")).isNull();
        assertThat(FillFeeder.contentRange("bytes 1/2-3")).isNull();
        assertThat(FillFeeder.contentRange("bytes 1-2/many")).isNull();
    }
}
