package dev.fleetmirror.gc.mark;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.manifest.ManifestParser;
import dev.fleetmirror.core.storage.PathNotFoundException;
import dev.fleetmirror.core.storage.StorageDriver;
import dev.fleetmirror.core.storage.StoragePaths;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The references of every manifest the GC has read, in the bucket under
 * {@code fleetmirror/gc/index/}, in 16 shards by the first hex digit of the manifest's digest.
 * Manifests are immutable, so a manifest is read once in the registry's life: a later mark takes
 * its references from here (16 GETs for the whole index) and reads only manifests it has not seen.
 * A shard is rewritten only when it gained entries; only the GC writes it, one run at a time. A
 * lost or unreadable shard costs a re-read of its manifests, nothing else.
 */
public final class ReferenceIndex {
    public static final String DIR = StoragePaths.FLEETMIRROR + "/gc/index";
    private static final Logger LOG = LoggerFactory.getLogger(ReferenceIndex.class);
    private static final int MAGIC = 0x464d5231; // "FMR1"

    private final StorageDriver storage;
    private final Map<String, References> entries = new ConcurrentHashMap<>();
    private final Set<Character> changed = ConcurrentHashMap.newKeySet();
    private final AtomicLong manifestsRead = new AtomicLong();

    private ReferenceIndex(StorageDriver storage) {
        this.storage = storage;
    }

    /** The index as stored (empty when there is none yet). */
    public static ReferenceIndex load(StorageDriver storage) {
        ReferenceIndex index = new ReferenceIndex(storage);
        for (char shard : "0123456789abcdef".toCharArray()) {
            byte[] body;
            try {
                body = storage.getContent(shardPath(shard));
            } catch (PathNotFoundException e) {
                continue;
            }
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(body))) {
                if (in.readInt() != MAGIC) {
                    throw new IOException("not a reference index shard");
                }
                int count = in.readInt();
                for (int i = 0; i < count; i++) {
                    String manifest = DigestSet.hex(new long[] {in.readLong(), in.readLong(), in.readLong(), in.readLong()});
                    index.entries.put(manifest, References.read(in));
                }
            } catch (IOException | RuntimeException e) {
                LOG.warn("gc: reference index shard {} unreadable ({}); its manifests are read again", shard, e.toString());
            }
        }
        return index;
    }

    private static String shardPath(char shard) {
        return DIR + "/" + shard + ".bin";
    }

    /**
     * The references of a manifest, from the index or else read from storage (and indexed); empty
     * when its data is missing. A manifest that does not parse references nothing but itself.
     */
    public Optional<References> references(Digest manifest) {
        String hex = manifest.hex();
        References known = entries.get(hex);
        if (known != null) {
            return Optional.of(known);
        }
        byte[] body;
        try {
            body = storage.getContent(StoragePaths.blobData(manifest));
        } catch (PathNotFoundException e) {
            return Optional.empty();
        }
        manifestsRead.incrementAndGet();
        References references;
        try {
            references = References.of(ManifestParser.parse(ManifestParser.detectMediaType(body), body));
        } catch (RuntimeException e) {
            // Schema 1 and other manifests we do not parse: the manifest is kept, what it names is not known.
            LOG.warn("gc: manifest {} could not be parsed ({}); only the manifest itself is marked", manifest, e.getMessage());
            references = References.NONE;
        }
        if (manifest.algorithm().prefix().equals("sha256") && entries.putIfAbsent(hex, references) == null) {
            changed.add(hex.charAt(0));
        }
        return Optional.of(references);
    }

    /** {@code kept}, grown by the children of kept manifests and the referrers of kept subjects among {@code revisions}. */
    public Set<Digest> closure(Set<Digest> kept, java.util.Collection<Digest> revisions) {
        boolean grew = true;
        while (grew) {
            grew = false;
            for (Digest revision : revisions) {
                Optional<References> refs = references(revision);
                if (kept.contains(revision)) {
                    for (Digest digest : refs.map(References::children).orElse(List.of())) {
                        if (revisions.contains(digest) && kept.add(digest)) {
                            grew = true;
                        }
                    }
                } else {
                    Optional<Digest> subject = refs.flatMap(References::subject);
                    if (subject.isPresent() && kept.contains(subject.get())) {
                        kept.add(revision);
                        grew = true;
                    }
                }
            }
        }
        return kept;
    }

    /** Manifests read from storage (not found in the index) since this index was loaded. */
    public long manifestsRead() {
        return manifestsRead.get();
    }

    public int size() {
        return entries.size();
    }

    /** Writes the shards that gained entries. */
    public void save() {
        for (char shard : Set.copyOf(changed)) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                Map<String, References> inShard = new java.util.TreeMap<>();
                entries.forEach((manifest, references) -> {
                    if (manifest.charAt(0) == shard) {
                        inShard.put(manifest, references);
                    }
                });
                out.writeInt(MAGIC);
                out.writeInt(inShard.size());
                for (Map.Entry<String, References> entry : inShard.entrySet()) {
                    for (long part : DigestSet.parse(entry.getKey())) {
                        out.writeLong(part);
                    }
                    entry.getValue().write(out);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            storage.putContent(shardPath(shard), bytes.toByteArray());
            changed.remove(shard);
        }
    }
}
