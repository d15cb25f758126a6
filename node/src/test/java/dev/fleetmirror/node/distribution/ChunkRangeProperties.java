package dev.fleetmirror.node.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fleetmirror.core.registry.ErrorCode;
import dev.fleetmirror.core.registry.RegistryException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;

/** The {@code Content-Range} of an upload chunk: two non-negative numbers, or BLOB_UPLOAD_INVALID. */
class ChunkRangeProperties {

    @Provide
    Arbitrary<String> headers() {
        Arbitrary<String> number = Arbitraries.oneOf(Arbitraries.longs().greaterOrEqual(0).map(String::valueOf),
                Arbitraries.of("", "-1", "99999999999999999999", "1e3", " 7", "\u0663"));
        Arbitrary<String> shaped = net.jqwik.api.Combinators.combine(Arbitraries.of("", "bytes ", "bytes=", " "), number,
                Arbitraries.of("-", "--", "/"), number, Arbitraries.of("", "/*", "/100", "/x", " ", "/-1"))
                .as((unit, a, dash, b, total) -> unit + a + dash + b + total);
        return Arbitraries.oneOf(shaped, Arbitraries.strings().ofMaxLength(60));
    }

    @Property(tries = 500)
    void anyContentRangeYieldsTwoNonNegativeNumbersOrBlobUploadInvalid(@ForAll("headers") String header) {
        try {
            long[] range = UploadTransfer.chunkRange(header);
            assertThat(range).hasSize(2);
            assertThat(range[0]).isNotNegative();
            assertThat(range[1]).isNotNegative();
        } catch (RegistryException e) {
            assertThat(e.code()).isEqualTo(ErrorCode.BLOB_UPLOAD_INVALID);
        }
    }

    @Property(tries = 200)
    void wellFormedRangesAreRead(@ForAll @LongRange(min = 0) long start, @ForAll @LongRange(min = 0) long end) {
        assertThat(UploadTransfer.chunkRange(start + "-" + end)).containsExactly(start, end);
        assertThat(UploadTransfer.chunkRange("bytes " + start + "-" + end + "/*")).containsExactly(start, end);
    }
}
