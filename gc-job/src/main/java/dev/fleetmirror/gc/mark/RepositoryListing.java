package dev.fleetmirror.gc.mark;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.storage.StorageDriver;
import dev.fleetmirror.core.storage.StoragePaths;
import dev.fleetmirror.core.storage.PathNotFoundException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every repository (a directory holding {@code _manifests}, {@code _layers} or {@code _uploads}),
 * its revisions and its tags, from walks of the tree's first-level directories: on S3 a page of
 * 1,000 keys per request, against a listing per directory level and per repository. Only revisions and tag names
 * are kept; the layer links it passes are walked again per repository once the mark is over (it
 * needs the marks to know which links may go).
 */
public record RepositoryListing(Map<RepositoryName, Set<Digest>> revisions, Map<RepositoryName, Set<String>> tags) {
    private static final Logger LOG = LoggerFactory.getLogger(RepositoryListing.class);
    private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");
    private static final String SHA256 = "sha256";

    /**
     * Lists the tree: the first level with one listing, then each directory of it walked on
     * {@code pool} (a walk of the whole tree would be fewer requests, but one after another; and some
     * servers, S3Proxy's filesystem backend among them, rescan the whole prefix for every page).
     */
    public static RepositoryListing of(StorageDriver storage, ExecutorService pool) throws InterruptedException {
        Map<RepositoryName, Set<Digest>> revisions = new ConcurrentHashMap<>();
        Map<RepositoryName, Set<String>> tags = new ConcurrentHashMap<>();
        Set<String> unnamed = ConcurrentHashMap.newKeySet();
        List<String> top;
        try {
            top = storage.list(StoragePaths.REPOSITORIES);
        } catch (PathNotFoundException e) {
            return new RepositoryListing(revisions, tags);
        }
        List<Callable<Void>> walks = new ArrayList<>();
        for (String dir : top) {
            walks.add(() -> {
                walk(storage, dir, revisions, tags, unnamed);
                return null;
            });
        }
        for (Future<Void> walk : pool.invokeAll(walks)) {
            try {
                walk.get();
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException runtime ? runtime : new IllegalStateException(e.getCause());
            }
        }
        return new RepositoryListing(revisions, tags);
    }

    private static void walk(StorageDriver storage, String dir, Map<RepositoryName, Set<Digest>> revisions,
                             Map<RepositoryName, Set<String>> tags, Set<String> unnamed) {
        String root = StoragePaths.REPOSITORIES + "/";
        storage.walk(dir, file -> {
            String path = file.path();
            if (!path.startsWith(root)) {
                return;
            }
            int marker = firstOf(path, root.length(), "/_manifests/", "/_layers/", "/_uploads/");
            if (marker < 0) {
                return;
            }
            String name = path.substring(root.length(), marker);
            RepositoryName repo;
            try {
                repo = RepositoryName.of(name);
            } catch (RuntimeException e) {
                if (unnamed.add(name)) {
                    LOG.warn("gc: {} is not a repository name; its content is not marked", name);
                }
                return;
            }
            Set<Digest> revisionsOfRepo = revisions.computeIfAbsent(repo, r -> ConcurrentHashMap.newKeySet());
            String rest = path.substring(marker);
            String revisionPrefix = "/_manifests/revisions/" + SHA256 + "/";
            if (rest.startsWith(revisionPrefix) && rest.endsWith("/link")) {
                String hex = rest.substring(revisionPrefix.length(), rest.length() - "/link".length());
                if (HEX.matcher(hex).matches()) {
                    revisionsOfRepo.add(Digest.parse(SHA256 + ":" + hex));
                }
            } else if (rest.startsWith("/_manifests/tags/") && rest.endsWith("/current/link")) {
                tags.computeIfAbsent(repo, r -> ConcurrentHashMap.newKeySet())
                        .add(rest.substring("/_manifests/tags/".length(), rest.length() - "/current/link".length()));
            }
        });
    }

    private static int firstOf(String path, int from, String... markers) {
        int first = -1;
        for (String marker : markers) {
            int at = path.indexOf(marker, from);
            if (at >= 0 && (first < 0 || at < first)) {
                first = at;
            }
        }
        return first;
    }

}
