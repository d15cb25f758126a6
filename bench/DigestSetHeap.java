import dev.fleetmirror.gc.mark.MarkState;
import java.lang.management.ManagementFactory;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The heap a GC's mark state takes for a million-blob registry, outside any test, for bench/gc.md:
 * a {@link MarkState} gets DIGESTS marked digests, then DIGESTS / 5 unmarked ones that are also
 * candidates (a fifth of the registry is garbage, as in bench/gc-layout.py), and the heap used
 * after a full collection is compared with the heap before. Run it with the node's heap:
 *
 * <pre>
 *   mvn -B -q -o -DskipTests compile -pl gc-job -am
 *   java -Xmx256m -cp gc-job/target/classes:core/target/classes bench/DigestSetHeap.java [DIGESTS]
 * </pre>
 *
 * Prints one line: digests, candidates, the tables' bytes, the heap used by the state, the peak
 * heap of the JVM, and the time the adds took.
 */
public final class DigestSetHeap {
    public static void main(String[] args) {
        int digests = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int garbage = digests / 5;
        SplittableRandom random = new SplittableRandom(16);
        HexFormat hex = HexFormat.of();
        long before = usedAfterGc();
        long started = System.nanoTime();
        MarkState state = new MarkState(List.of(), null);
        byte[] digest = new byte[32];
        for (int i = 0; i < digests; i++) {
            state.marked.add(hex.formatHex(next(random, digest)));
        }
        for (int i = 0; i < garbage; i++) {
            String unmarked = hex.formatHex(next(random, digest));
            state.unmarkedPresent.add(unmarked);
            state.candidate(unmarked, 1024);
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        long used = usedAfterGc() - before;
        long peak = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(pool -> pool.getType() == java.lang.management.MemoryType.HEAP)
                .mapToLong(pool -> pool.getPeakUsage().getUsed()).sum();
        System.out.printf("%d marked + %d unmarked digests (%d candidates): tables %.1f MiB, heap used by the state"
                        + " %.1f MiB, JVM heap peak %.1f MiB of max %.0f MiB, adds %d ms%n",
                state.marked.size(), state.unmarkedPresent.size(), state.candidates().size(),
                state.digestBytes() / 1048576.0, used / 1048576.0, peak / 1048576.0,
                Runtime.getRuntime().maxMemory() / 1048576.0, millis);
        // Keep the state reachable until it was measured.
        if (state.marked.size() < 0) {
            System.out.println(state);
        }
    }

    private static byte[] next(SplittableRandom random, byte[] digest) {
        for (int i = 0; i < digest.length; i += 8) {
            long value = random.nextLong();
            for (int b = 0; b < 8; b++) {
                digest[i + b] = (byte) (value >>> (b * 8));
            }
        }
        return digest;
    }

    private static long usedAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        Runtime runtime = Runtime.getRuntime();
        return runtime.totalMemory() - runtime.freeMemory();
    }
}
