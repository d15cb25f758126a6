package dev.fleetmirror.core.storage;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.name.Tag;

/**
 * Distribution's key layout, so that a {@code registry:2} directory or bucket is served as it is and
 * Distribution reads ours:
 *
 * <pre>
 * /docker/registry/v2/blobs/sha256/&lt;hex[0:2]&gt;/&lt;hex&gt;/data
 * /docker/registry/v2/repositories/&lt;name&gt;/_layers/sha256/&lt;hex&gt;/link
 * /docker/registry/v2/repositories/&lt;name&gt;/_manifests/revisions/sha256/&lt;hex&gt;/link
 * /docker/registry/v2/repositories/&lt;name&gt;/_manifests/tags/&lt;tag&gt;/current/link
 * /docker/registry/v2/repositories/&lt;name&gt;/_manifests/tags/&lt;tag&gt;/index/sha256/&lt;hex&gt;/link
 * /docker/registry/v2/repositories/&lt;name&gt;/_uploads/&lt;uuid&gt;/{data,startedat,hashstates/...}
 * </pre>
 *
 * Fleet Mirror never writes {@code hashstates/} (Distribution's saved hash states); it only deletes
 * them with the upload. Its own metadata lives under {@code /fleetmirror/}, never inside
 * Distribution's tree.
 * Every path built here comes from validated value types, so none can escape the root.
 */
public final class StoragePaths {
    public static final String V2 = "/docker/registry/v2";
    public static final String BLOBS = V2 + "/blobs";
    public static final String REPOSITORIES = V2 + "/repositories";
    public static final String FLEETMIRROR = "/fleetmirror";

    private StoragePaths() {
    }

    // ---- blobs ----

    /** Directory of one blob: {@code /docker/registry/v2/blobs/sha256/ab/ab...}. */
    public static String blobDir(Digest d) {
        return BLOBS + "/" + d.algorithm().prefix() + "/" + d.hex().substring(0, 2) + "/" + d.hex();
    }

    public static String blobData(Digest d) {
        return blobDir(d) + "/data";
    }

    // ---- repositories ----

    public static String repository(RepositoryName repo) {
        return REPOSITORIES + "/" + repo.value();
    }

    public static String layersDir(RepositoryName repo) {
        return repository(repo) + "/_layers";
    }

    public static String layerLink(RepositoryName repo, Digest d) {
        return layersDir(repo) + "/" + d.algorithm().prefix() + "/" + d.hex() + "/link";
    }

    public static String manifestsDir(RepositoryName repo) {
        return repository(repo) + "/_manifests";
    }

    public static String revisionsDir(RepositoryName repo) {
        return manifestsDir(repo) + "/revisions";
    }

    public static String revisionLink(RepositoryName repo, Digest d) {
        return revisionsDir(repo) + "/" + d.algorithm().prefix() + "/" + d.hex() + "/link";
    }

    public static String tagsDir(RepositoryName repo) {
        return manifestsDir(repo) + "/tags";
    }

    public static String tagDir(RepositoryName repo, Tag tag) {
        return tagsDir(repo) + "/" + tag.value();
    }

    public static String tagCurrentLink(RepositoryName repo, Tag tag) {
        return tagDir(repo, tag) + "/current/link";
    }

    public static String tagIndexLink(RepositoryName repo, Tag tag, Digest d) {
        return tagDir(repo, tag) + "/index/" + d.algorithm().prefix() + "/" + d.hex() + "/link";
    }

    public static String uploadsDir(RepositoryName repo) {
        return repository(repo) + "/_uploads";
    }

    /** Directory of one upload session; {@code uploadId} must already be validated (a UUID). */
    public static String uploadDir(RepositoryName repo, String uploadId) {
        return uploadsDir(repo) + "/" + uploadId;
    }

    public static String uploadData(RepositoryName repo, String uploadId) {
        return uploadDir(repo, uploadId) + "/data";
    }

    public static String uploadStartedAt(RepositoryName repo, String uploadId) {
        return uploadDir(repo, uploadId) + "/startedat";
    }

    // ---- Fleet Mirror's own metadata ----

    /**
     * Referrers index entry: one small JSON descriptor per manifest whose {@code subject} is
     * {@code subject}, so the referrers API lists them without reading every manifest.
     */
    public static String referrersDir(RepositoryName repo, Digest subject) {
        return FLEETMIRROR + "/repositories/" + repo.value() + "/referrers/"
                + subject.algorithm().prefix() + "/" + subject.hex();
    }

    public static String referrerEntry(RepositoryName repo, Digest subject, Digest referrer) {
        return referrersDir(repo, subject) + "/" + referrer.algorithm().prefix() + "/" + referrer.hex();
    }

    /**
     * The referrers of {@code subject} as a mirrored repository's upstream last listed them: one OCI
     * index, kept apart from {@link #referrersDir} (which lists what is stored here) because the
     * upstream's list names referrers this node has not fetched.
     */
    public static String mirroredReferrers(RepositoryName repo, Digest subject) {
        return FLEETMIRROR + "/repositories/" + repo.value() + "/mirroredreferrers/"
                + subject.algorithm().prefix() + "/" + subject.hex();
    }

    /**
     * When the cluster last served manifests of a mirrored repository, one small file per manifest
     * holding an ISO-8601 instant, for the expiry of cached content ({@code proxy.ttl}).
     */
    public static String lastPullsDir(RepositoryName repo) {
        return FLEETMIRROR + "/repositories/" + repo.value() + "/lastpull";
    }

    public static String lastPull(RepositoryName repo, Digest manifest) {
        return lastPullsDir(repo) + "/" + manifest.algorithm().prefix() + "/" + manifest.hex();
    }

    /** Link file content as Distribution writes it: the digest string, no newline. */
    public static byte[] linkContent(Digest d) {
        return d.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
