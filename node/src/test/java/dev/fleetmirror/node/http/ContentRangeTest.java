package dev.fleetmirror.node.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** One Content-Range grammar, read strictly for upstream answers and leniently for upload chunks. */
class ContentRangeTest {

    @Test
    void anUpstreamsRangeGivesFirstLastAndTotal() {
        assertThat(ContentRange.ofResponse("bytes 100-199/1000")).contains(new ContentRange(100, 199, 1000));
        assertThat(ContentRange.ofResponse("bytes 5-9/*")).contains(new ContentRange(5, 9, -1));
    }

    @Test
    void anUpstreamsRangeNeedsItsUnitAndTotal() {
        assertThat(ContentRange.ofResponse(null)).isEmpty();
        assertThat(ContentRange.ofResponse("items 1-2/3")).isEmpty();
        assertThat(ContentRange.ofResponse("bytes x-2/3")).isEmpty();
        assertThat(ContentRange.ofResponse("bytes 1/2-3")).isEmpty();
        assertThat(ContentRange.ofResponse("bytes 1-2/many")).isEmpty();
        assertThat(ContentRange.ofResponse("1-2/3")).as("no unit").isEmpty();
        assertThat(ContentRange.ofResponse("bytes 1-2")).as("no total").isEmpty();
    }

    @Test
    void anUploadChunksRangeMayLeaveOutUnitAndTotal() {
        assertThat(ContentRange.ofChunk("0-99")).contains(new ContentRange(0, 99, -1));
        assertThat(ContentRange.ofChunk("bytes 100-199/*")).contains(new ContentRange(100, 199, -1));
        assertThat(ContentRange.ofChunk(" bytes 5-9/10 ")).contains(new ContentRange(5, 9, 10));
        assertThat(ContentRange.ofChunk("5-")).isEmpty();
        assertThat(ContentRange.ofChunk("99999999999999999999-1")).as("out of range").isEmpty();
    }
}
