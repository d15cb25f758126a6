package dev.fleetmirror.gc.mark;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.storage.StorageDriver;
import dev.fleetmirror.core.storage.StoragePaths;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every repository (a directory holding {@code _manifests}, {@code _layers} or {@code _uploads}),
 * its revisions and its tags, from one walk of the whole tree: on S3 a page of 1,000 keys per
 * request, against a listing per directory level and per repository. Only revisions and tag names
 * are kept; the layer links it passes are walked again per repository once the mark is over (it
 * needs the marks to know which links may go).
 */
public record RepositoryListing(Map<RepositoryName, Set<Digest>> revisions, Map<RepositoryName, Set<String>> tags) {
    private static final Logger LOG = LoggerFactory.getLogger(RepositoryListing.class);
    private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");
    private static final String SHA256 = "sha256";

    public static RepositoryListing of(StorageDriver storage) {
        Map<RepositoryName, Set<Digest>> revisions = new HashMap<>();
        Map<RepositoryName, Set<String>> tags = new HashMap<>();
        Set<String> unnamed = new HashSet<>();
        String root = StoragePaths.REPOSITORIES + "/";
        storage.walk(StoragePaths.REPOSITORIES, file -> {
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
            Set<Digest> revisionsOfRepo = revisions.computeIfAbsent(repo, r -> new HashSet<>());
            String rest = path.substring(marker);
            String revisionPrefix = "/_manifests/revisions/" + SHA256 + "/";
            if (rest.startsWith(revisionPrefix) && rest.endsWith("/link")) {
                String hex = rest.substring(revisionPrefix.length(), rest.length() - "/link".length());
                if (HEX.matcher(hex).matches()) {
                    revisionsOfRepo.add(Digest.parse(SHA256 + ":" + hex));
                }
            } else if (rest.startsWith("/_manifests/tags/") && rest.endsWith("/current/link")) {
                tags.computeIfAbsent(repo, r -> new HashSet<>())
                        .add(rest.substring("/_manifests/tags/".length(), rest.length() - "/current/link".length()));
            }
        });
        return new RepositoryListing(revisions, tags);
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
