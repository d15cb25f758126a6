package dev.fleetmirror.node.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class ByteRangeTest {
    private static ByteRange.Request parse(String header, long size) {
        return ByteRange.parse(Optional.ofNullable(header), size);
    }

    private static ByteRange.Request partial(long first, long last) {
        return new ByteRange.Request.Partial(new ByteRange(first, last));
    }

    @Test
    void satisfiableRangesAreClampedToTheBlob() {
        assertThat(parse("bytes=0-9", 100)).isEqualTo(partial(0, 9));
        assertThat(parse("bytes=90-", 100)).isEqualTo(partial(90, 99));
        assertThat(parse("bytes=90-500", 100)).isEqualTo(partial(90, 99));
        assertThat(parse("bytes=-10", 100)).isEqualTo(partial(90, 99));
        assertThat(parse("bytes=-500", 100)).isEqualTo(partial(0, 99));
    }

    @Test
    void rangesOutsideTheBlobAreUnsatisfiable() {
        assertThat(parse("bytes=100-", 100)).isInstanceOf(ByteRange.Request.Unsatisfiable.class);
        assertThat(parse("bytes=-0", 100)).isInstanceOf(ByteRange.Request.Unsatisfiable.class);
        assertThat(parse("bytes=0-", 0)).isInstanceOf(ByteRange.Request.Unsatisfiable.class);
        assertThat(parse("bytes=99999999999999999999-", 10)).isInstanceOf(ByteRange.Request.Unsatisfiable.class);
    }

    @Test
    void absentMalformedOrMultipleRangesMeanTheWholeBlob() {
        for (String header : new String[] {null, "bytes=5-2", "items=0-1", "bytes=0-1,5-6", "bytes=-", "garbage"}) {
            assertThat(parse(header, 100)).as(String.valueOf(header)).isInstanceOf(ByteRange.Request.Whole.class);
        }
    }

    @Test
    void contentRangeNamesTheBytesSent() {
        assertThat(new ByteRange(10, 19).contentRange(1000)).isEqualTo("bytes 10-19/1000");
        assertThat(new ByteRange(10, 19).length()).isEqualTo(10);
    }
}
