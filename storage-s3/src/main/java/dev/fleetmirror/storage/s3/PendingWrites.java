package dev.fleetmirror.storage.s3;

import dev.fleetmirror.core.storage.StorageException;
import dev.fleetmirror.core.storage.StorageUnavailableException;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Loads, saves and discards {@link PendingWrite}s in the bucket. The state lives in the bucket, not
 * on the node, so that a chunked upload behind a round-robin load balancer continues on whichever
 * node its next request reaches, even when the node that started it is gone.
 */
final class PendingWrites {
    private final Bucket bucket;

    PendingWrites(Bucket bucket) {
        this.bucket = bucket;
    }

    /** The pending write of a path with its tail copied into {@code tail}, or empty if there is none. */
    Optional<PendingWrite> load(String path, PartSpool tail) {
        try (ResponseInputStream<GetObjectResponse> response = get(path)) {
            if (response == null) {
                return Optional.empty();
            }
            InputStream in = new BufferedInputStream(response, 64 * 1024);
            PendingWrite state = PendingWrite.readHeader(in);
            tail.append(in, state.tailSize());
            return Optional.of(state);
        } catch (PendingWrite.Malformed e) {
            throw corrupt(path, e);
        } catch (IOException e) {
            throw new StorageUnavailableException(path, "reading the pending write of " + path
                    + " from S3 failed: " + e.getMessage(), e);
        }
    }

    /** The header alone, for discarding: the tail is never downloaded. */
    Optional<PendingWrite> peek(String path) {
        ResponseInputStream<GetObjectResponse> response = get(path);
        if (response == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(PendingWrite.readHeader(new BufferedInputStream(response, 8 * 1024)));
        } catch (PendingWrite.Malformed e) {
            throw corrupt(path, e);
        } catch (IOException e) {
            throw new StorageUnavailableException(path, "reading the pending write of " + path
                    + " from S3 failed: " + e.getMessage(), e);
        } finally {
            // Closing alone would drain the rest of the tail from the connection.
            response.abort();
            closeQuietly(response);
        }
    }

    void save(String path, PendingWrite state, PartSpool tail) {
        byte[] header = state.header();
        RequestBody body = RequestBody.fromContentProvider(
                () -> new SequenceInputStream(new ByteArrayInputStream(header), tail.newInputStream()),
                header.length + state.tailSize(), "application/octet-stream");
        bucket.run("save pending write of", path, () -> bucket.s3.putObject(
                b -> b.bucket(bucket.name).key(bucket.keys.pending(path)), body));
    }

    void remove(String path) {
        bucket.run("remove pending write of", path, () -> bucket.s3.deleteObject(
                b -> b.bucket(bucket.name).key(bucket.keys.pending(path))));
    }

    /** Aborts the multipart upload of a pending write and removes its state; false if there was none. */
    boolean discard(String path) {
        Optional<PendingWrite> state = peek(path);
        state.flatMap(PendingWrite::uploadId).ifPresent(uploadId -> abort(path, uploadId));
        if (state.isPresent()) {
            remove(path);
        }
        return state.isPresent();
    }

    /** The paths below a directory that have a pending write: one listing, however many paths there are. */
    Set<String> pathsBelow(String directory) {
        Set<String> paths = new HashSet<>();
        forEachPendingBelow(directory, paths::add);
        return paths;
    }

    /** Discards the pending writes of every path below a directory; returns how many there were. */
    int discardBelow(String directory) {
        int[] discarded = new int[1];
        forEachPendingBelow(directory, path -> {
            if (discard(path)) {
                discarded[0]++;
            }
        });
        return discarded[0];
    }

    /** Hands {@code action} each path below a directory that has a pending write, page by page of the listing. */
    private void forEachPendingBelow(String directory, Consumer<String> action) {
        String token = null;
        do {
            String continuation = token;
            ListObjectsV2Response page = bucket.call("list pending writes below", directory,
                    () -> bucket.s3.listObjectsV2(ListObjectsV2Request.builder().bucket(bucket.name)
                            .prefix(bucket.keys.pendingBelow(directory)).continuationToken(continuation)
                            .maxKeys(bucket.config.listPageSize()).build()));
            for (S3Object object : page.contents()) {
                String path = bucket.keys.pathOfPending(object.key());
                if (path != null) {
                    action.accept(path);
                }
            }
            token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
        } while (token != null);
    }

    void abort(String path, String uploadId) {
        try {
            bucket.s3.abortMultipartUpload(b -> b.bucket(bucket.name).key(bucket.keys.file(path)).uploadId(uploadId));
        } catch (SdkException e) {
            if (!S3Failures.isNotFound(e)) {
                throw bucket.failure("abort multipart upload of", path, e);
            }
            // NoSuchUpload: already completed or aborted, which is what we want.
        }
    }

    private ResponseInputStream<GetObjectResponse> get(String path) {
        try {
            return bucket.s3.getObject(b -> b.bucket(bucket.name).key(bucket.keys.pending(path)));
        } catch (SdkException e) {
            if (S3Failures.isNotFound(e)) {
                return null;
            }
            throw bucket.failure("load pending write of", path, e);
        }
    }

    private StorageException corrupt(String path, IOException e) {
        return new StorageException(path, "cannot read the pending write of " + path + " at "
                + bucket.keys.pending(path) + ": " + e.getMessage(), e);
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // Already aborted; nothing left to release.
        }
    }
}
