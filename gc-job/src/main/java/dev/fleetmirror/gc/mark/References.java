package dev.fleetmirror.gc.mark;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.manifest.Descriptor;
import dev.fleetmirror.core.manifest.ParsedManifest;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What one manifest references, as the mark needs it: the blobs it marks (config and layers), the
 * manifests it names (an index's children) and its subject. Digests are packed four longs each
 * (32 bytes), as in {@link DigestSet}: the index of a registry with 100,000 manifests stays in
 * tens of MiB. Manifests are immutable, so this never changes once read; digests of other
 * algorithms than sha256 are left out, as the mark leaves them.
 */
public final class References {
    public static final References NONE = new References(new long[0], new long[0], new long[0]);
    private static final byte BLOB = 0;
    private static final byte CHILD = 1;
    private static final byte SUBJECT = 2;

    private final long[] blobs;
    private final long[] children;
    private final long[] subject;

    private References(long[] blobs, long[] children, long[] subject) {
        this.blobs = blobs;
        this.children = children;
        this.subject = subject;
    }

    public static References of(ParsedManifest manifest) {
        List<String> blobs = new ArrayList<>();
        manifest.config().flatMap(References::sha256).ifPresent(blobs::add);
        manifest.layers().forEach(d -> sha256(d).ifPresent(blobs::add));
        List<String> children = new ArrayList<>();
        manifest.manifests().forEach(d -> sha256(d).ifPresent(children::add));
        return new References(pack(blobs), pack(children),
                pack(manifest.subject().flatMap(References::sha256).map(List::of).orElse(List.of())));
    }

    private static Optional<String> sha256(Descriptor descriptor) {
        return descriptor.digest().algorithm().prefix().equals("sha256") ? Optional.of(descriptor.digest().hex()) : Optional.empty();
    }

    private static long[] pack(List<String> hexes) {
        long[] packed = new long[hexes.size() * 4];
        for (int i = 0; i < hexes.size(); i++) {
            System.arraycopy(DigestSet.parse(hexes.get(i)), 0, packed, i * 4, 4);
        }
        return packed;
    }

    private static void each(long[] packed, Consumer<long[]> visitor) {
        for (int at = 0; at < packed.length; at += 4) {
            visitor.accept(new long[] {packed[at], packed[at + 1], packed[at + 2], packed[at + 3]});
        }
    }

    /** Marks the config and layers in {@code marked}. */
    public void markBlobs(DigestSet marked) {
        each(blobs, marked::add);
    }

    /** Marks the children in {@code marked}, as blobs. */
    public void markChildren(DigestSet marked) {
        each(children, marked::add);
    }

    public List<Digest> children() {
        List<Digest> digests = new ArrayList<>(children.length / 4);
        each(children, d -> digests.add(Digest.parse("sha256:" + DigestSet.hex(d))));
        return digests;
    }

    public Optional<Digest> subject() {
        return subject.length == 0 ? Optional.empty() : Optional.of(Digest.parse("sha256:" + DigestSet.hex(subject)));
    }

    void write(DataOutputStream out) throws IOException {
        out.writeInt((blobs.length + children.length + subject.length) / 4);
        entries(out, BLOB, blobs);
        entries(out, CHILD, children);
        entries(out, SUBJECT, subject);
    }

    private static void entries(DataOutputStream out, byte kind, long[] packed) throws IOException {
        for (int at = 0; at < packed.length; at += 4) {
            out.writeByte(kind);
            for (int i = 0; i < 4; i++) {
                out.writeLong(packed[at + i]);
            }
        }
    }

    static References read(DataInputStream in) throws IOException {
        int count = in.readInt();
        long[][] byKind = {new long[count * 4], new long[count * 4], new long[count * 4]};
        int[] filled = new int[3];
        for (int i = 0; i < count; i++) {
            byte kind = in.readByte();
            if (kind < BLOB || kind > SUBJECT) {
                throw new IOException("unknown reference kind " + kind);
            }
            for (int j = 0; j < 4; j++) {
                byKind[kind][filled[kind]++] = in.readLong();
            }
        }
        return new References(java.util.Arrays.copyOf(byKind[BLOB], filled[BLOB]),
                java.util.Arrays.copyOf(byKind[CHILD], filled[CHILD]),
                java.util.Arrays.copyOf(byKind[SUBJECT], Math.min(4, filled[SUBJECT])));
    }
}
