package dev.fleetmirror.gc.expiry;

import dev.fleetmirror.core.registry.stored.StoredRegistry;
import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.digest.InvalidDigestException;
import dev.fleetmirror.core.name.Reference;
import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.name.Tag;
import dev.fleetmirror.core.error.ErrorCode;
import dev.fleetmirror.core.registry.Manifests;
import dev.fleetmirror.core.registry.Registry;
import dev.fleetmirror.core.error.RegistryException;
import dev.fleetmirror.core.registry.RegistrySettings;
import dev.fleetmirror.core.storage.PathNotFoundException;
import dev.fleetmirror.core.storage.StorageDriver;
import dev.fleetmirror.core.storage.StoragePath;
import dev.fleetmirror.core.storage.StoragePaths;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Expiry of cached content ({@code proxy.ttl}): in mirrored repositories, manifests the cluster has
 * not served within the TTL are unlinked (their revision link, and the tags pointing at them), so
 * the next pull fetches them from upstream again. It deletes no blob, not even the manifest's own:
 * the GC's mark phase, which runs after it, decides what nothing references any more, across
 * repositories (Distribution's expiry deleted blobs other repositories still used).
 *
 * <p>A manifest's last pull is what {@link LastPulls} holds; one with no recorded pull (cached
 * before times were recorded) counts from its revision link's modification time. Each manifest
 * ages by its own pulls: an index's child that no client pulls (another platform) expires while the
 * index stays, and is fetched from upstream again when someone asks for it. Hosted repositories are
 * never touched. A TTL of zero disables expiry.
 *
 * <p>Caches of manifests in front of storage (the cluster's manifest index) do not see these
 * deletes: the caller invalidates the repositories the report names as changed.
 */
public final class CacheExpiry {
    private static final Logger LOG = LoggerFactory.getLogger(CacheExpiry.class);

    private final StorageDriver driver;
    private final Duration ttl;
    private final Predicate<RepositoryName> mirrored;
    private final Clock clock;
    private final Registry registry;
    private final LastPulls lastPulls;

    public CacheExpiry(StorageDriver driver, Duration ttl, Predicate<RepositoryName> mirrored, Clock clock) {
        if (ttl.isNegative()) {
            throw new IllegalArgumentException("ttl must not be negative: " + ttl);
        }
        this.driver = driver;
        this.ttl = ttl;
        this.mirrored = mirrored;
        this.clock = clock;
        this.registry = StoredRegistry.create(driver, new RegistrySettings(true));
        this.lastPulls = new LastPulls(driver);
    }

    /** Unlinks what expired; with {@code dryRun}, only counts it. Blocks on storage. */
    public ExpiryReport run(boolean dryRun) {
        return run(dryRun, repo -> { });
    }

    /**
     * As {@link #run(boolean)}, telling {@code changed} of each repository as soon as its manifests
     * were unlinked, before the next is visited: caches of it forget them then, not at the end.
     */
    public ExpiryReport run(boolean dryRun, java.util.function.Consumer<RepositoryName> changedNow) {
        if (ttl.isZero()) {
            return ExpiryReport.disabled(dryRun);
        }
        long started = System.nanoTime();
        Instant cutoff = clock.instant().minus(ttl);
        int visited = 0;
        int manifestsUnlinked = 0;
        int tagsUnlinked = 0;
        int kept = 0;
        List<RepositoryName> changed = new ArrayList<>();
        for (RepositoryName repo : registry.catalog().list(Integer.MAX_VALUE, Optional.empty()).items()) {
            if (!mirrored.test(repo)) {
                continue;
            }
            visited++;
            Map<Digest, List<Tag>> tags = tagsByTarget(repo);
            Set<Digest> revisions = new HashSet<>(LastPulls.digestsUnder(driver, StoragePaths.revisionsDir(repo)));
            int unlinkedHere = 0;
            for (Digest manifest : revisions) {
                Optional<Instant> lastPull = lastPull(repo, manifest);
                if (lastPull.isEmpty() || !lastPull.get().isBefore(cutoff)) {
                    kept++;
                    continue;
                }
                List<Tag> pointing = tags.getOrDefault(manifest, List.of());
                LOG.info("{}{}@{}: last pulled {}, before {}; unlinking it{}", dryRun ? "dry run: " : "", repo, manifest,
                        lastPull.get(), cutoff, pointing.isEmpty() ? "" : " and tags " + pointing);
                if (!dryRun) {
                    unlink(registry.manifests(), repo, manifest);
                    lastPulls.delete(repo, manifest);
                }
                unlinkedHere++;
                tagsUnlinked += pointing.size();
            }
            if (!dryRun) {
                forgetTimesOfRemovedManifests(repo, revisions);
            }
            if (unlinkedHere > 0) {
                manifestsUnlinked += unlinkedHere;
                changed.add(repo);
                if (!dryRun) {
                    changedNow.accept(repo);
                }
            }
        }
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        ExpiryReport report = new ExpiryReport(dryRun, visited, manifestsUnlinked, tagsUnlinked, kept, changed, took.toMillis());
        LOG.info("{}expiry of cached content (ttl {}): {} mirrored repositories, {} manifests and {} tags unlinked, "
                + "{} manifests kept, {} ms", dryRun ? "dry run: " : "", ttl, visited, manifestsUnlinked, tagsUnlinked,
                kept, took.toMillis());
        return report;
    }

    /**
     * The recorded pull, else the revision link's modification time; empty when the link vanished
     * meanwhile (nothing to expire).
     */
    private Optional<Instant> lastPull(RepositoryName repo, Digest manifest) {
        Optional<Instant> recorded = lastPulls.read(repo, manifest);
        if (recorded.isPresent()) {
            return recorded;
        }
        try {
            return Optional.of(driver.stat(StoragePaths.revisionLink(repo, manifest)).modifiedAt());
        } catch (PathNotFoundException e) {
            return Optional.empty();
        }
    }

    /** Tags by the manifest their current link points at, read once per repository. */
    private Map<Digest, List<Tag>> tagsByTarget(RepositoryName repo) {
        Map<Digest, List<Tag>> byTarget = new HashMap<>();
        for (String dir : driver.listOrEmpty(StoragePaths.tagsDir(repo))) {
            String name = StoragePath.baseName(dir);
            if (!Tag.isValid(name)) {
                continue;
            }
            Tag tag = Tag.of(name);
            try {
                String target = new String(driver.getContent(StoragePaths.tagCurrentLink(repo, tag)),
                        StandardCharsets.US_ASCII).trim();
                byTarget.computeIfAbsent(Digest.parse(target), d -> new ArrayList<>()).add(tag);
            } catch (PathNotFoundException | InvalidDigestException e) {
                // A tag without a readable target keeps nothing alive and is no business of expiry.
            }
        }
        return byTarget;
    }

    /** The registry's own delete: revision link, the tags on it, its referrers entry. */
    private static void unlink(Manifests manifests, RepositoryName repo, Digest manifest) {
        try {
            manifests.delete(repo, Reference.of(manifest));
        } catch (RegistryException e) {
            if (e.code() != ErrorCode.MANIFEST_UNKNOWN) {
                throw e;
            }
        }
    }

    /** Times of manifests deleted by other means would otherwise stay forever. */
    private void forgetTimesOfRemovedManifests(RepositoryName repo, Set<Digest> revisions) {
        for (Digest recorded : lastPulls.recorded(repo)) {
            if (!revisions.contains(recorded)) {
                lastPulls.delete(repo, recorded);
            }
        }
    }
}
