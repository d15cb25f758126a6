package dev.fleetmirror.node.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Invariant 1 checked from outside: every blob in the bucket is stored under the digest of its
 * bytes. Lists {@code docker/registry/v2/blobs/} through plain S3 (not through a node) and re-hashes
 * each {@code data} object as it streams.
 */
final class BucketAudit {
    static final String BLOBS = "docker/registry/v2/blobs/";
    private static final Pattern DATA_KEY = Pattern.compile("^" + BLOBS + "sha256/([0-9a-f]{2})/([0-9a-f]{64})/data$");
    /**
     * S3Proxy's filesystem backend writes an object to {@code <key>-<uuid>} and renames it when
     * complete, and lists the temporary file meanwhile (S3 never shows an incomplete object).
     */
    private static final Pattern S3PROXY_TEMPORARY = Pattern.compile("/data-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");

    private BucketAudit() {
    }

    /**
     * @param checked    how many blobs were re-hashed
     * @param mismatched keys whose bytes hash to something else, or that lie outside the layout
     */
    record Result(int checked, List<String> mismatched) {
    }

    static Result rehash(S3Client s3, String bucket) {
        int checked = 0;
        List<String> mismatched = new ArrayList<>();
        for (S3Object object : s3.listObjectsV2Paginator(r -> r.bucket(bucket).prefix(BLOBS)).contents()) {
            if (S3PROXY_TEMPORARY.matcher(object.key()).find()) {
                continue;
            }
            Matcher key = DATA_KEY.matcher(object.key());
            if (!key.matches() || !key.group(2).startsWith(key.group(1))) {
                mismatched.add(object.key() + " (not a blob data key)");
                continue;
            }
            String actual = sha256(s3, bucket, object.key());
            checked++;
            if (!actual.equals(key.group(2))) {
                mismatched.add(object.key() + " holds bytes of sha256:" + actual + " (" + object.size() + " bytes)");
            }
        }
        return new Result(checked, mismatched);
    }

    /** The hex digests of the blobs stored (complete {@code data} objects only). */
    static Set<String> stored(S3Client s3, String bucket) {
        Set<String> stored = new HashSet<>();
        for (S3Object object : s3.listObjectsV2Paginator(r -> r.bucket(bucket).prefix(BLOBS)).contents()) {
            Matcher key = DATA_KEY.matcher(object.key());
            if (key.matches()) {
                stored.add(key.group(2));
            }
        }
        return stored;
    }

    private static String sha256(S3Client s3, String bucket, String key) {
        try (InputStream in = s3.getObject(r -> r.bucket(bucket).key(key))) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[256 * 1024];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                sha.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
