package dev.fleetmirror.node.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;

/** {@code Range} headers of any shape: the answer is the whole blob, 416, or a range inside the blob. */
class ByteRangeProperties {

    @Provide
    Arbitrary<String> headers() {
        Arbitrary<String> number = Arbitraries.oneOf(Arbitraries.longs().greaterOrEqual(0).map(String::valueOf),
                Arbitraries.of("", "0", "-1", "99999999999999999999999", " 1", "1 ", "+1", "0x10", "1.5", "\u0661"));
        Arbitrary<String> wellFormed = net.jqwik.api.Combinators.combine(Arbitraries.of("bytes=", "bytes =", " bytes= ", "BYTES=",
                "items=", "bytes"), number, Arbitraries.of("-", "--", ",", " - ", ""), number, Arbitraries.of("", ",0-1", ", 5-", " "))
                .as((unit, first, dash, last, more) -> unit + first + dash + last + more);
        return Arbitraries.oneOf(wellFormed, Arbitraries.strings().ofMaxLength(60));
    }

    @Property(tries = 500)
    void anyRangeHeaderYieldsWholeUnsatisfiableOrARangeInsideTheBlob(@ForAll("headers") String header,
                                                                     @ForAll @LongRange(min = 0, max = 1L << 40) long size) {
        ByteRange.Request request = ByteRange.parse(Optional.of(header), size);
        if (request instanceof ByteRange.Request.Partial partial) {
            ByteRange range = partial.range();
            assertThat(range.first()).isNotNegative().isLessThanOrEqualTo(range.last());
            assertThat(range.last()).isLessThan(size);
            assertThat(range.length()).isPositive().isLessThanOrEqualTo(size);
            assertThat(range.contentRange(size)).isEqualTo("bytes " + range.first() + "-" + range.last() + "/" + size);
        } else {
            assertThat(request).isInstanceOfAny(ByteRange.Request.Whole.class, ByteRange.Request.Unsatisfiable.class);
        }
    }

    @Property(tries = 300)
    void aRangeInsideTheBlobIsServedExactly(@ForAll @LongRange(min = 1, max = 1L << 40) long size,
                                            @ForAll @LongRange(min = 0, max = 1L << 40) long a,
                                            @ForAll @LongRange(min = 0, max = 1L << 40) long b) {
        long first = Math.min(a, b) % size;
        long last = Math.max(first, Math.max(a, b) % size);
        ByteRange.Request request = ByteRange.parse(Optional.of("bytes=" + first + "-" + last), size);
        assertThat(request).isEqualTo(new ByteRange.Request.Partial(new ByteRange(first, last)));
    }
}
