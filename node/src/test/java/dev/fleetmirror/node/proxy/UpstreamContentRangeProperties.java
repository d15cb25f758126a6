package dev.fleetmirror.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;

/** An upstream's {@code Content-Range} on a resumed fill: read, or null (ignored), never an exception. */
class UpstreamContentRangeProperties {

    @Provide
    Arbitrary<String> headers() {
        Arbitrary<String> number = Arbitraries.oneOf(Arbitraries.longs().map(String::valueOf),
                Arbitraries.of("", "*", "99999999999999999999", " 3 "));
        Arbitrary<String> shaped = net.jqwik.api.Combinators.combine(Arbitraries.of("bytes ", "bytes", "bytes=", ""), number,
                Arbitraries.of("-", "/", ""), number, Arbitraries.of("/", "-", ""), number)
                .as((unit, a, s1, b, s2, c) -> unit + a + s1 + b + s2 + c);
        return Arbitraries.oneOf(shaped, Arbitraries.strings().ofMaxLength(40), Arbitraries.just(null));
    }

    @Property(tries = 500)
    void anyContentRangeIsReadOrIgnored(@ForAll("headers") String header) {
        long[] range = FillFeeder.contentRange(header);
        if (range != null) {
            assertThat(range).hasSize(2);
        }
    }

    @Property(tries = 200)
    void wellFormedRangesAreRead(@ForAll @LongRange(min = 0) long first, @ForAll @LongRange(min = 0) long last,
                                 @ForAll @LongRange(min = 0) long total) {
        assertThat(FillFeeder.contentRange("bytes " + first + "-" + last + "/" + total)).containsExactly(first, total);
        assertThat(FillFeeder.contentRange("bytes " + first + "-" + last + "/*")).containsExactly(first, -1L);
    }
}
