package dev.fleetmirror.gc.mark;

import java.util.HexFormat;
import java.util.function.Consumer;

/**
 * A set of sha256 digests held as their 32 bytes (four longs each, in one array) with open
 * addressing: a million digests take 64 MiB at most, against about 200 MiB as strings in a
 * {@code HashSet}, so the mark state of a million-blob registry fits a 256 MiB node. Digests are
 * uniformly random, so their first long is the hash. Thread-safe by one monitor: the mark's
 * threads add to it briefly and rarely contend for long.
 */
public final class DigestSet {
    private static final HexFormat HEX = HexFormat.of();
    private long[] slots;
    private int size;
    private boolean zero;

    public DigestSet() {
        this(1 << 10);
    }

    public DigestSet(int capacity) {
        slots = new long[Integer.highestOneBit(Math.max(16, capacity) * 2 - 1) * 4];
    }

    /** Adds a digest given as 64 lowercase hex characters; true if it was not there. */
    public boolean add(String hex) {
        return add(parse(hex));
    }

    public synchronized boolean add(long[] digest) {
        if (isZero(digest)) {
            boolean added = !zero;
            zero = true;
            return added;
        }
        if ((size + 1) * 4L > (slots.length / 4) * 3L) {
            grow();
        }
        if (insert(slots, digest)) {
            size++;
            return true;
        }
        return false;
    }

    public boolean contains(String hex) {
        return contains(parse(hex));
    }

    public synchronized boolean contains(long[] digest) {
        if (isZero(digest)) {
            return zero;
        }
        int mask = slots.length / 4 - 1;
        for (int i = (int) mix(digest[0]) & mask; ; i = (i + 1) & mask) {
            int at = i * 4;
            if (slots[at] == 0 && slots[at + 1] == 0 && slots[at + 2] == 0 && slots[at + 3] == 0) {
                return false;
            }
            if (slots[at] == digest[0] && slots[at + 1] == digest[1] && slots[at + 2] == digest[2] && slots[at + 3] == digest[3]) {
                return true;
            }
        }
    }

    /** The bytes its table takes on the heap (the digests' longs; the array header aside). */
    public synchronized long tableBytes() {
        return slots.length * 8L;
    }

    public synchronized int size() {
        return size + (zero ? 1 : 0);
    }

    /** Every digest, as hex. */
    public synchronized void forEach(Consumer<String> visitor) {
        if (zero) {
            visitor.accept("0".repeat(64));
        }
        for (int at = 0; at < slots.length; at += 4) {
            if (slots[at] != 0 || slots[at + 1] != 0 || slots[at + 2] != 0 || slots[at + 3] != 0) {
                visitor.accept(hex(new long[] {slots[at], slots[at + 1], slots[at + 2], slots[at + 3]}));
            }
        }
    }

    private void grow() {
        long[] bigger = new long[slots.length * 2];
        long[] digest = new long[4];
        for (int at = 0; at < slots.length; at += 4) {
            if (slots[at] != 0 || slots[at + 1] != 0 || slots[at + 2] != 0 || slots[at + 3] != 0) {
                System.arraycopy(slots, at, digest, 0, 4);
                insert(bigger, digest);
            }
        }
        slots = bigger;
    }

    private static boolean insert(long[] table, long[] digest) {
        int mask = table.length / 4 - 1;
        for (int i = (int) mix(digest[0]) & mask; ; i = (i + 1) & mask) {
            int at = i * 4;
            if (table[at] == 0 && table[at + 1] == 0 && table[at + 2] == 0 && table[at + 3] == 0) {
                System.arraycopy(digest, 0, table, at, 4);
                return true;
            }
            if (table[at] == digest[0] && table[at + 1] == digest[1] && table[at + 2] == digest[2] && table[at + 3] == digest[3]) {
                return false;
            }
        }
    }

    /** Digests are random, but a set filled with hand-made ones in a test should not cluster. */
    private static long mix(long value) {
        long h = value * 0x9E3779B97F4A7C15L;
        return h ^ (h >>> 29);
    }

    private static boolean isZero(long[] digest) {
        return digest[0] == 0 && digest[1] == 0 && digest[2] == 0 && digest[3] == 0;
    }

    /** The four longs of a 64-character hex digest. */
    public static long[] parse(String hex) {
        if (hex.length() != 64) {
            throw new IllegalArgumentException("not a sha256 hex digest: " + hex);
        }
        return new long[] {
            HexFormat.fromHexDigitsToLong(hex, 0, 16), HexFormat.fromHexDigitsToLong(hex, 16, 32),
            HexFormat.fromHexDigitsToLong(hex, 32, 48), HexFormat.fromHexDigitsToLong(hex, 48, 64)};
    }

    public static String hex(long[] digest) {
        StringBuilder out = new StringBuilder(64);
        for (long part : digest) {
            out.append(HEX.toHexDigits(part));
        }
        return out.toString();
    }
}
