package dev.fleetmirror.storage.s3;

import dev.fleetmirror.core.storage.FileInfo;
import dev.fleetmirror.core.storage.FileWriter;
import dev.fleetmirror.core.storage.InvalidOffsetException;
import dev.fleetmirror.core.storage.PathNotFoundException;
import dev.fleetmirror.core.storage.StorageDriver;
import dev.fleetmirror.core.storage.StoragePath;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.function.Consumer;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * {@link StorageDriver} over S3 (AWS, MinIO, Ceph RGW, S3Proxy) with the AWS SDK v2. Keys are
 * Distribution's, so a bucket {@code registry:2} filled is served as it is. Reads are ranged
 * GetObjects streamed to the caller; writes of unknown length are multipart uploads that survive
 * the node (see {@link S3FileWriter}); small files are single PUTs.
 *
 * <p>Blocking, like the SPI: callers run it on worker threads.
 */
public final class S3StorageDriver implements StorageDriver {
    private final Bucket bucket;
    private final S3Presigner presigner;
    private final PendingWrites pendingWrites;
    private final S3Mover mover;
    private final S3Deleter deleter;

    private S3StorageDriver(S3Client s3, S3Presigner presigner, S3StorageConfig config) {
        this.bucket = new Bucket(s3, config);
        this.presigner = presigner;
        this.pendingWrites = new PendingWrites(bucket);
        this.mover = new S3Mover(bucket);
        this.deleter = new S3Deleter(bucket, pendingWrites);
    }

    /** Builds the SDK clients from the config; nothing is sent to S3 until the first operation. */
    public static S3StorageDriver open(S3StorageConfig config) {
        return open(config, List.of());
    }

    /** Like {@link #open(S3StorageConfig)}, with SDK interceptors that observe every S3 call (metrics, tracing). */
    public static S3StorageDriver open(S3StorageConfig config, List<ExecutionInterceptor> interceptors) {
        return open(config, interceptors, S3Clients.Retries.DEFAULT);
    }

    static S3StorageDriver open(S3StorageConfig config, List<ExecutionInterceptor> interceptors,
                                S3Clients.Retries retries) {
        return new S3StorageDriver(S3Clients.client(config, interceptors, retries), S3Clients.presigner(config), config);
    }

    public S3StorageConfig config() {
        return bucket.config;
    }

    @Override
    public String name() {
        return "s3";
    }

    @Override
    public byte[] getContent(String path) {
        String key = bucket.keys.file(StoragePath.requireValidFile(path));
        return bucket.call("get", path, () -> bucket.s3.getObjectAsBytes(
                b -> b.bucket(bucket.name).key(key)).asByteArray());
    }

    @Override
    public void putContent(String path, byte[] content) {
        String key = bucket.keys.file(StoragePath.requireValidFile(path));
        bucket.run("put", path, () -> bucket.s3.putObject(
                b -> b.bucket(bucket.name).key(key).contentType("application/octet-stream"),
                RequestBody.fromBytes(content)));
    }

    @Override
    public InputStream reader(String path, long offset) {
        String key = bucket.keys.file(StoragePath.requireValidFile(path));
        if (offset < 0) {
            throw new InvalidOffsetException(path, offset);
        }
        GetObjectRequest.Builder request = GetObjectRequest.builder().bucket(bucket.name).key(key);
        if (offset > 0) {
            request.range("bytes=" + offset + "-");
        }
        try {
            ResponseInputStream<GetObjectResponse> response = bucket.s3.getObject(request.build());
            return new S3ObjectStream(response);
        } catch (SdkException e) {
            if (S3Failures.isInvalidRange(e)) {
                // S3 refuses a range starting at the size; the SPI wants an empty stream there.
                long size = stat(path).size();
                if (offset == size) {
                    return InputStream.nullInputStream();
                }
                throw new InvalidOffsetException(path, offset);
            }
            throw bucket.failure("get", path, e);
        }
    }

    @Override
    public FileWriter writer(String path, boolean append) {
        StoragePath.requireValidFile(path);
        return S3FileWriter.open(bucket, pendingWrites, path, append);
    }

    @Override
    public FileInfo stat(String path) {
        StoragePath.requireValid(path);
        if (!StoragePath.ROOT.equals(path)) {
            try {
                HeadObjectResponse head = bucket.s3.headObject(b -> b.bucket(bucket.name).key(bucket.keys.file(path)));
                return new FileInfo(path, head.contentLength(), head.lastModified(), false);
            } catch (SdkException e) {
                if (!S3Failures.isNotFound(e)) {
                    throw bucket.failure("stat", path, e);
                }
            }
        }
        // S3 has no directories: a path is one when keys exist below it.
        ListObjectsV2Response page = bucket.call("stat", path, () -> bucket.s3.listObjectsV2(b -> b
                .bucket(bucket.name).prefix(bucket.keys.directoryPrefix(path)).maxKeys(1)));
        if (page.contents().isEmpty() && page.commonPrefixes().isEmpty()) {
            throw new PathNotFoundException(path);
        }
        return new FileInfo(path, 0, Instant.EPOCH, true);
    }

    @Override
    public List<String> list(String path) {
        StoragePath.requireValid(path);
        String prefix = bucket.keys.directoryPrefix(path);
        List<String> children = new ArrayList<>();
        String token = null;
        do {
            String continuation = token;
            ListObjectsV2Response page = bucket.call("list", path, () -> bucket.s3.listObjectsV2(
                    ListObjectsV2Request.builder().bucket(bucket.name).prefix(prefix).delimiter("/")
                            .continuationToken(continuation).maxKeys(bucket.config.listPageSize()).build()));
            for (S3Object object : page.contents()) {
                if (!object.key().equals(prefix)) {
                    children.add(bucket.keys.path(object.key()));
                }
            }
            for (CommonPrefix common : page.commonPrefixes()) {
                children.add(bucket.keys.path(common.prefix()));
            }
            token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
        } while (token != null);
        if (children.isEmpty() && !StoragePath.ROOT.equals(path)) {
            throw new PathNotFoundException(path);
        }
        return children;
    }

    /** One flat listing (no delimiter): a thousand files with size and time per request. */
    @Override
    public void walk(String dir, Consumer<FileInfo> visitor) {
        StoragePath.requireValid(dir);
        String prefix = bucket.keys.directoryPrefix(dir);
        String token = null;
        do {
            String continuation = token;
            ListObjectsV2Response page = bucket.call("walk", dir, () -> bucket.s3.listObjectsV2(
                    ListObjectsV2Request.builder().bucket(bucket.name).prefix(prefix)
                            .continuationToken(continuation).maxKeys(bucket.config.listPageSize()).build()));
            for (S3Object object : page.contents()) {
                if (!object.key().equals(prefix) && !object.key().endsWith("/")) {
                    visitor.accept(new FileInfo(bucket.keys.path(object.key()), object.size(), object.lastModified(), false));
                }
            }
            token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
        } while (token != null);
    }

    @Override
    public void deleteFiles(Collection<String> paths) {
        paths.forEach(StoragePath::requireValidFile);
        deleter.deleteFiles(paths);
    }

    @Override
    public void move(String sourcePath, String destPath) {
        StoragePath.requireValidFile(sourcePath);
        StoragePath.requireValidFile(destPath);
        mover.move(sourcePath, destPath);
    }

    @Override
    public void delete(String path) {
        deleter.delete(StoragePath.requireValidFile(path));
    }

    @Override
    public Optional<URI> redirectUrl(String path, Duration validFor) {
        String key = bucket.keys.file(StoragePath.requireValidFile(path));
        try {
            return Optional.of(presigner.presignGetObject(p -> p.signatureDuration(validFor)
                    .getObjectRequest(g -> g.bucket(bucket.name).key(key))).url().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("the SDK presigned an invalid URL for " + path, e);
        }
    }

    @Override
    public void close() {
        bucket.partUploads.shutdown();
        bucket.s3.close();
        presigner.close();
    }

    @Override
    public String toString() {
        return "S3StorageDriver[" + bucket.config + "]";
    }
}
