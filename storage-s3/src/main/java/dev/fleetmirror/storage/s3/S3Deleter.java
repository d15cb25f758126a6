package dev.fleetmirror.storage.s3;

import dev.fleetmirror.core.storage.PathNotFoundException;
import dev.fleetmirror.core.storage.StorageException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Error;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Recursive delete: the object at the path, every key below {@code path/} (never a sibling that
 * merely shares the prefix, such as {@code path2}), and the pending writes of all of them, whose
 * multipart uploads are aborted. Keys go in DeleteObjects batches of up to 1,000, deleted page by
 * page as they are listed, so memory stays flat however large the tree.
 */
final class S3Deleter {
    static final int MAX_BATCH = 1000;

    private final Bucket bucket;
    private final PendingWrites pendingWrites;

    S3Deleter(Bucket bucket, PendingWrites pendingWrites) {
        this.bucket = bucket;
        this.pendingWrites = pendingWrites;
    }

    void delete(String path) {
        String key = bucket.keys.file(path);
        List<ObjectIdentifier> batch = new ArrayList<>(MAX_BATCH);
        long found = 0;
        if (exists(path, key)) {
            batch.add(ObjectIdentifier.builder().key(key).build());
            found++;
        }
        String token = null;
        do {
            String continuation = token;
            ListObjectsV2Response page = bucket.call("list for delete", path, () -> bucket.s3.listObjectsV2(
                    ListObjectsV2Request.builder().bucket(bucket.name).prefix(key + "/")
                            .continuationToken(continuation).maxKeys(bucket.config.listPageSize()).build()));
            for (S3Object object : page.contents()) {
                batch.add(ObjectIdentifier.builder().key(object.key()).build());
                found++;
                if (batch.size() == MAX_BATCH) {
                    deleteBatch(path, batch);
                }
            }
            token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
        } while (token != null);
        deleteBatch(path, batch);
        if (pendingWrites.discard(path)) {
            found++;
        }
        found += pendingWrites.discardBelow(path);
        if (found == 0) {
            throw new PathNotFoundException(path);
        }
    }

    /**
     * Deletes the files at {@code paths} in DeleteObjects batches; missing keys are no error in S3.
     * Pending writes (rare: uploads in progress) are found with one listing below the paths' common
     * directory, not one GET per path: a GC deletes thousands of files that never have one.
     */
    void deleteFiles(Collection<String> paths) {
        if (paths.isEmpty()) {
            return;
        }
        java.util.Set<String> pending = pendingWrites.pathsBelow(commonDirectory(paths));
        List<ObjectIdentifier> batch = new ArrayList<>(MAX_BATCH);
        String first = null;
        for (String path : paths) {
            first = first == null ? path : first;
            batch.add(ObjectIdentifier.builder().key(bucket.keys.file(path)).build());
            if (pending.contains(path)) {
                pendingWrites.discard(path);
            }
            if (batch.size() == MAX_BATCH) {
                deleteBatch(first, batch);
                first = null;
            }
        }
        if (first != null) {
            deleteBatch(first, batch);
        }
    }

    /** The deepest directory every path lies below ({@code /} at worst). */
    static String commonDirectory(Collection<String> paths) {
        String common = null;
        for (String path : paths) {
            String dir = path.substring(0, Math.max(0, path.lastIndexOf('/')));
            if (common == null) {
                common = dir;
            } else {
                while (!(dir.equals(common) || dir.startsWith(common + "/"))) {
                    common = common.substring(0, Math.max(0, common.lastIndexOf('/')));
                }
            }
            if (common.isEmpty()) {
                return "/";
            }
        }
        return common;
    }

    private boolean exists(String path, String key) {
        try {
            bucket.s3.headObject(b -> b.bucket(bucket.name).key(key));
            return true;
        } catch (SdkException e) {
            if (S3Failures.isNotFound(e)) {
                return false;
            }
            throw bucket.failure("stat for delete", path, e);
        }
    }

    private void deleteBatch(String path, List<ObjectIdentifier> batch) {
        if (batch.isEmpty()) {
            return;
        }
        List<ObjectIdentifier> keys = List.copyOf(batch);
        batch.clear();
        DeleteObjectsResponse response = bucket.call("delete " + keys.size() + " keys below", path,
                () -> bucket.s3.deleteObjects(b -> b.bucket(bucket.name).delete(d -> d.objects(keys).quiet(true))));
        List<S3Error> errors = response.errors().stream().filter(e -> !"NoSuchKey".equals(e.code())).toList();
        if (!errors.isEmpty()) {
            S3Error first = errors.get(0);
            throw new StorageException(path, "S3 could not delete " + errors.size() + " of " + keys.size()
                    + " keys below " + path + ", first " + first.key() + ": " + first.code() + " " + first.message());
        }
    }
}
