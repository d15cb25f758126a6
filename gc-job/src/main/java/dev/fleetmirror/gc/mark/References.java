package dev.fleetmirror.gc.mark;

import dev.fleetmirror.core.manifest.Descriptor;
import dev.fleetmirror.core.manifest.ParsedManifest;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What one manifest references, as the mark needs it: the blobs it marks (config and layers), the
 * manifests it names (an index's children) and its subject, each as sha256 hex. Manifests are
 * immutable, so this never changes once read; other algorithms are left out, as the mark leaves them.
 */
public record References(List<String> blobs, List<String> children, Optional<String> subject) {
    public static final References NONE = new References(List.of(), List.of(), Optional.empty());
    private static final byte BLOB = 0;
    private static final byte CHILD = 1;
    private static final byte SUBJECT = 2;

    public static References of(ParsedManifest manifest) {
        List<String> blobs = new ArrayList<>();
        manifest.config().flatMap(References::sha256).ifPresent(blobs::add);
        manifest.layers().forEach(d -> sha256(d).ifPresent(blobs::add));
        List<String> children = new ArrayList<>();
        manifest.manifests().forEach(d -> sha256(d).ifPresent(children::add));
        return new References(List.copyOf(blobs), List.copyOf(children), manifest.subject().flatMap(References::sha256));
    }

    private static Optional<String> sha256(Descriptor descriptor) {
        return descriptor.digest().algorithm().prefix().equals("sha256") ? Optional.of(descriptor.digest().hex()) : Optional.empty();
    }

    void write(DataOutputStream out) throws IOException {
        out.writeInt(blobs.size() + children.size() + (subject.isPresent() ? 1 : 0));
        for (String blob : blobs) {
            entry(out, BLOB, blob);
        }
        for (String child : children) {
            entry(out, CHILD, child);
        }
        if (subject.isPresent()) {
            entry(out, SUBJECT, subject.get());
        }
    }

    private static void entry(DataOutputStream out, byte kind, String hex) throws IOException {
        out.writeByte(kind);
        for (long part : DigestSet.parse(hex)) {
            out.writeLong(part);
        }
    }

    static References read(DataInputStream in) throws IOException {
        int count = in.readInt();
        List<String> blobs = new ArrayList<>();
        List<String> children = new ArrayList<>();
        String subject = null;
        for (int i = 0; i < count; i++) {
            byte kind = in.readByte();
            String hex = DigestSet.hex(new long[] {in.readLong(), in.readLong(), in.readLong(), in.readLong()});
            switch (kind) {
                case BLOB -> blobs.add(hex);
                case CHILD -> children.add(hex);
                case SUBJECT -> subject = hex;
                default -> throw new IOException("unknown reference kind " + kind);
            }
        }
        return new References(List.copyOf(blobs), List.copyOf(children), Optional.ofNullable(subject));
    }
}
