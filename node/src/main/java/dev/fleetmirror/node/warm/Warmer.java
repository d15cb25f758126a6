package dev.fleetmirror.node.warm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.manifest.Descriptor;
import dev.fleetmirror.core.manifest.ManifestParser;
import dev.fleetmirror.core.manifest.ParsedManifest;
import dev.fleetmirror.core.name.Reference;
import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.registry.Registry;
import dev.fleetmirror.core.registry.StoredManifest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Fetches images into the cache before clients ask: each image's manifest (and of an index, the
 * manifests of all platforms or of the chosen ones) through the pull-through registry, then every
 * blob they name that storage does not hold yet, read through the registry's fill (in a cluster the
 * fill is the cluster's, so a blob still crosses the upstream once) and discarded as it streams.
 * Blobs already in storage cost one lookup. Progress goes to a listener as JSON events; a failing
 * image is reported and the others go on. Runs on the calling (worker) thread and blocks.
 *
 * <p>With referrers, the image's signatures, SBOMs and attestations come along, so that a site can
 * go offline with them: the referrers of the image's manifest (and of each platform's manifest
 * warmed) as the mirror's referrers API answers them (which keeps the list for outages), plus
 * cosign's {@code sha256-<hex>.sig}, {@code .att} and {@code .sbom} tags of the image's digest; each
 * referrer's manifest and blobs are then warmed like an image's.
 */
public final class Warmer {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int READ_BUFFER = 64 * 1024;
    /** A fill read to its end is stored right after: how long to wait for that to show. */
    private static final Duration STORE_WAIT = Duration.ofSeconds(120);

    private final Registry mirror;
    private final Registry storage;
    private final ExecutorService blobFetchers;

    /**
     * @param mirror       the registry clients pull from (fills mirrored repositories from upstream)
     * @param storage      the storage-backed registry under it, which says what is cached
     * @param blobFetchers runs the blob fetches of an image side by side
     */
    public Warmer(Registry mirror, Registry storage, ExecutorService blobFetchers) {
        this.mirror = mirror;
        this.storage = storage;
        this.blobFetchers = blobFetchers;
    }

    /** What a run did. */
    public record Summary(int images, int failedImages, int manifests, int blobs, int cached, int fetched,
                          long bytesFetched, int referrers) {
    }

    public Summary run(List<ImageRef> images, List<Platform> platforms, Consumer<ObjectNode> events) {
        return run(images, platforms, false, events);
    }

    /** @param withReferrers also warm each image's referrers and cosign tags, and their manifests and blobs */
    public Summary run(List<ImageRef> images, List<Platform> platforms, boolean withReferrers, Consumer<ObjectNode> events) {
        int failed = 0;
        Counts total = new Counts();
        for (ImageRef image : images) {
            Counts counts = new Counts();
            try {
                warm(image, platforms, withReferrers, events, counts);
                events.accept(event("image-done", image).put("manifests", counts.manifests).put("blobs", counts.blobs)
                        .put("cached", counts.cached).put("fetched", counts.fetched).put("bytesFetched", counts.bytes.get())
                        .put("referrers", counts.referrers));
            } catch (RuntimeException e) {
                failed++;
                events.accept(event("image-failed", image).put("error", message(e)));
            }
            total.add(counts);
        }
        return new Summary(images.size(), failed, total.manifests, total.blobs, total.cached, total.fetched,
                total.bytes.get(), total.referrers);
    }

    private void warm(ImageRef image, List<Platform> platforms, boolean withReferrers, Consumer<ObjectNode> events,
                      Counts counts) {
        RepositoryName repo = image.repository();
        StoredManifest top = mirror.manifests().get(repo, image.reference()).orElseThrow(() -> new IllegalStateException(
                "no manifest " + image.reference() + " in " + repo + " (nor upstream)"));
        ParsedManifest parsed = ManifestParser.parse(top.mediaType(), top.content());
        events.accept(event("manifest", image).put("digest", top.digest().toString()).put("mediaType", top.mediaType())
                .put("index", parsed.isIndex()));
        counts.manifests++;
        Map<Digest, Descriptor> blobs = new LinkedHashMap<>();
        List<Digest> subjects = new ArrayList<>(List.of(top.digest()));
        if (parsed.isIndex()) {
            JsonNode entries = readTree(top.content()).path("manifests");
            int chosen = 0;
            for (JsonNode entry : entries) {
                JsonNode platform = entry.path("platform");
                if (!platforms.isEmpty() && platforms.stream().noneMatch(p -> p.matches(platform))) {
                    continue;
                }
                chosen++;
                Digest child = Digest.parse(entry.path("digest").asText());
                StoredManifest manifest = mirror.manifests().get(repo, Reference.of(child)).orElseThrow(() ->
                        new IllegalStateException("the index names " + child + ", which upstream does not have"));
                ParsedManifest childParsed = ManifestParser.parse(manifest.mediaType(), manifest.content());
                events.accept(event("manifest", image).put("digest", child.toString())
                        .put("platform", Platform.describe(platform)).put("mediaType", manifest.mediaType()));
                counts.manifests++;
                subjects.add(child);
                childParsed.blobs().forEach(d -> blobs.putIfAbsent(d.digest(), d));
            }
            if (chosen == 0) {
                throw new IllegalStateException("the index lists no manifest for " + platforms);
            }
        } else {
            parsed.blobs().forEach(d -> blobs.putIfAbsent(d.digest(), d));
        }
        fetchAll(image, blobs.values(), events, counts);
        if (withReferrers) {
            ReferrerWarm.warm(mirror, image, subjects, top.digest(), events, counts, this);
        }
    }

    /** Warms one manifest of {@code image}'s repository by digest (a referrer) and its blobs; an index, every child's. */
    void manifestAndBlobs(ImageRef image, Digest digest, Consumer<ObjectNode> events, Counts counts) {
        RepositoryName repo = image.repository();
        StoredManifest manifest = mirror.manifests().get(repo, Reference.of(digest)).orElseThrow(() ->
                new IllegalStateException("referrer " + digest + " is listed but upstream does not have it"));
        ParsedManifest parsed = ManifestParser.parse(manifest.mediaType(), manifest.content());
        counts.manifest();
        Map<Digest, Descriptor> blobs = new LinkedHashMap<>();
        parsed.blobs().forEach(d -> blobs.putIfAbsent(d.digest(), d));
        if (parsed.isIndex()) {
            for (JsonNode entry : readTree(manifest.content()).path("manifests")) {
                Digest child = Digest.parse(entry.path("digest").asText());
                StoredManifest childManifest = mirror.manifests().get(repo, Reference.of(child)).orElseThrow(() ->
                        new IllegalStateException("the referrer index names " + child + ", which upstream does not have"));
                counts.manifest();
                ManifestParser.parse(childManifest.mediaType(), childManifest.content()).blobs()
                        .forEach(d -> blobs.putIfAbsent(d.digest(), d));
            }
        }
        fetchAll(image, blobs.values(), events, counts);
    }

    private void fetchAll(ImageRef image, java.util.Collection<Descriptor> blobs, Consumer<ObjectNode> events, Counts counts) {
        List<Future<?>> fetches = new ArrayList<>();
        for (Descriptor blob : blobs) {
            fetches.add(blobFetchers.submit(() -> blob(image, blob, events, counts)));
        }
        RuntimeException failure = null;
        for (Future<?> fetch : fetches) {
            try {
                fetch.get();
            } catch (ExecutionException e) {
                failure = failure != null ? failure
                        : e.getCause() instanceof RuntimeException runtime ? runtime : new IllegalStateException(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private void blob(ImageRef image, Descriptor blob, Consumer<ObjectNode> events, Counts counts) {
        RepositoryName repo = image.repository();
        if (storage.blobs().stat(repo, blob.digest()).isPresent()) {
            counts.cached(blob);
            events.accept(event("blob", image).put("digest", blob.digest().toString()).put("size", blob.size())
                    .put("status", "cached"));
            return;
        }
        events.accept(event("blob", image).put("digest", blob.digest().toString()).put("size", blob.size())
                .put("status", "fetching"));
        long read = 0;
        try (InputStream in = mirror.blobs().open(repo, blob.digest(), 0)) {
            byte[] buffer = new byte[READ_BUFFER];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                read += n;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + blob.digest() + ": " + e.getMessage(), e);
        }
        boolean stored = awaitStored(repo, blob.digest());
        counts.fetched(read);
        events.accept(event("blob", image).put("digest", blob.digest().toString()).put("size", read)
                .put("status", stored ? "fetched" : "fetched, not stored yet"));
    }

    /** The fill stores the blob once it has all of it; a reader may finish a moment before that. */
    private boolean awaitStored(RepositoryName repo, Digest digest) {
        long deadline = System.nanoTime() + STORE_WAIT.toNanos();
        long pause = 10;
        while (true) {
            if (storage.blobs().stat(repo, digest).isPresent()) {
                return true;
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            pause = Math.min(500, pause * 2);
        }
    }

    private static JsonNode readTree(byte[] content) {
        try {
            return JSON.readTree(content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ObjectNode event(String kind, ImageRef image) {
        return JSON.createObjectNode().put("event", kind).put("image", image.text());
    }

    private static String message(Throwable e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    /** Counted by the blob fetchers of an image at once. */
    static final class Counts {
        int manifests;
        int referrers;
        int blobs;
        int cached;
        int fetched;
        final AtomicLong bytes = new AtomicLong();

        synchronized void manifest() {
            manifests++;
        }

        synchronized void referrer() {
            referrers++;
        }

        synchronized void cached(Descriptor blob) {
            blobs++;
            cached++;
        }

        synchronized void fetched(long read) {
            blobs++;
            fetched++;
            bytes.addAndGet(read);
        }

        synchronized void add(Counts other) {
            manifests += other.manifests;
            blobs += other.blobs;
            cached += other.cached;
            fetched += other.fetched;
            referrers += other.referrers;
            bytes.addAndGet(other.bytes.get());
        }
    }
}
