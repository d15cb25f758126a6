package dev.fleetmirror.storage.s3;

import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * {@code move} as S3 allows it: a server-side copy, then a delete of the source. CopyObject takes at
 * most 5 GiB, and large copies are faster in parts, so above {@code multipartcopythresholdsize} the
 * copy is a multipart upload of UploadPartCopy ranges of {@code multipartcopychunksize}. No byte
 * passes through the node either way.
 */
final class S3Mover {
    private final Bucket bucket;

    S3Mover(Bucket bucket) {
        this.bucket = bucket;
    }

    void move(String source, String dest) {
        String sourceKey = bucket.keys.file(source);
        String destKey = bucket.keys.file(dest);
        long size = bucket.call("stat", source, () -> bucket.s3.headObject(
                b -> b.bucket(bucket.name).key(sourceKey)).contentLength());
        if (sourceKey.equals(destKey)) {
            return;
        }
        if (size <= bucket.config.multipartCopyThresholdSize()) {
            bucket.run("copy to " + dest + " from", source, () -> bucket.s3.copyObject(b -> b
                    .sourceBucket(bucket.name).sourceKey(sourceKey)
                    .destinationBucket(bucket.name).destinationKey(destKey)));
        } else {
            multipartCopy(source, sourceKey, dest, destKey, size);
        }
        bucket.run("delete after move", source, () -> bucket.s3.deleteObject(
                b -> b.bucket(bucket.name).key(sourceKey)));
    }

    private void multipartCopy(String source, String sourceKey, String dest, String destKey, long size) {
        String uploadId = bucket.call("start multipart copy to", dest, () -> bucket.s3.createMultipartUpload(
                b -> b.bucket(bucket.name).key(destKey).contentType("application/octet-stream")).uploadId());
        try {
            long partSize = bucket.config.multipartCopyChunkSize();
            List<CompletedPart> parts = new ArrayList<>();
            for (long first = 0; first < size; first += partSize) {
                int number = parts.size() + 1;
                String range = "bytes=" + first + "-" + (Math.min(first + partSize, size) - 1);
                String etag = bucket.call("copy part " + number + " to " + dest + " from", source,
                        () -> bucket.s3.uploadPartCopy(b -> b
                                .sourceBucket(bucket.name).sourceKey(sourceKey)
                                .destinationBucket(bucket.name).destinationKey(destKey)
                                .uploadId(uploadId).partNumber(number).copySourceRange(range))
                                .copyPartResult().eTag());
                parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
            }
            bucket.run("complete multipart copy to", dest, () -> bucket.s3.completeMultipartUpload(
                    b -> b.bucket(bucket.name).key(destKey).uploadId(uploadId).multipartUpload(m -> m.parts(parts))));
        } catch (RuntimeException e) {
            abortQuietly(destKey, uploadId, e);
            throw e;
        }
    }

    private void abortQuietly(String destKey, String uploadId, RuntimeException cause) {
        try {
            bucket.s3.abortMultipartUpload(b -> b.bucket(bucket.name).key(destKey).uploadId(uploadId));
        } catch (SdkException e) {
            cause.addSuppressed(e);
        }
    }
}
