package dev.fleetmirror.storage.s3;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code storage.s3} section of the node config, with Distribution's key names and defaults so an
 * existing {@code registry:2} config keeps working; built once at start-up by {@link #fromSettings}.
 *
 * @param accessKey        {@code accesskey}; with {@code secretkey} absent, the SDK's default
 *                         credential chain (environment, profile, instance role) is used
 * @param regionEndpoint   {@code regionendpoint}: where the node talks to S3 (MinIO, Ceph, S3Proxy)
 * @param presignEndpoint  {@code presignendpoint} (ours): the address clients use to fetch presigned
 *                         URLs, when it differs from the one the nodes use
 * @param rootDirectory    {@code rootdirectory}: key prefix, exactly as Distribution applies it
 * @param chunkSize        {@code chunksize}: multipart part size, and the most a writer buffers
 * @param multipartCopyThresholdSize objects larger than this are moved with a multipart copy
 * @param multipartCopyChunkSize     part size of that copy
 * @param maxConnections   {@code maxconnections} (ours): pool size; every open reader holds one
 * @param listPageSize     {@code listpagesize} (ours): keys per ListObjectsV2 page, at most 1,000
 */
public record S3StorageConfig(
        String bucket,
        String region,
        Optional<URI> regionEndpoint,
        Optional<URI> presignEndpoint,
        Optional<String> accessKey,
        Optional<String> secretKey,
        Optional<String> sessionToken,
        String rootDirectory,
        boolean forcePathStyle,
        boolean secure,
        long chunkSize,
        long multipartCopyThresholdSize,
        long multipartCopyChunkSize,
        int maxConnections,
        int listPageSize) {

    public static final long MIB = 1024L * 1024;
    /** S3's smallest part, except for the last one of an upload. */
    public static final long MIN_CHUNK_SIZE = 5 * MIB;
    /** S3's largest part. */
    public static final long MAX_CHUNK_SIZE = 5L * 1024 * MIB;
    public static final long DEFAULT_CHUNK_SIZE = 10 * MIB;
    public static final long DEFAULT_MULTIPART_COPY_SIZE = 32 * MIB;
    public static final String DEFAULT_REGION = "us-east-1";

    private static final Set<String> KEYS = Set.of("accesskey", "secretkey", "sessiontoken", "region",
            "regionendpoint", "presignendpoint", "bucket", "rootdirectory", "forcepathstyle", "secure",
            "chunksize", "multipartcopythresholdsize", "multipartcopychunksize", "maxconnections",
            "listpagesize");
    /** Distribution keys that are accepted so its configs load, but change nothing here. */
    private static final Set<String> IGNORED_DISTRIBUTION_KEYS = Set.of("v4auth", "encrypt", "keyid",
            "storageclass", "useragent", "usedualstack", "accelerate", "objectacl", "loglevel",
            "skipverify", "multipartcopymaxconcurrency", "checksumdisabled", "checksumalgorithm");

    public S3StorageConfig {
        Objects.requireNonNull(bucket, "bucket");
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(regionEndpoint, "regionEndpoint");
        Objects.requireNonNull(presignEndpoint, "presignEndpoint");
        Objects.requireNonNull(accessKey, "accessKey");
        Objects.requireNonNull(secretKey, "secretKey");
        Objects.requireNonNull(sessionToken, "sessionToken");
        Objects.requireNonNull(rootDirectory, "rootDirectory");
        if (bucket.isBlank()) {
            throw invalid("bucket", "must name a bucket");
        }
        if (accessKey.isPresent() != secretKey.isPresent()) {
            throw invalid(accessKey.isPresent() ? "secretkey" : "accesskey",
                    "accesskey and secretkey go together; leave both out to use the default credential chain");
        }
        if (chunkSize < MIN_CHUNK_SIZE || chunkSize > MAX_CHUNK_SIZE) {
            throw invalid("chunksize", chunkSize + " is outside S3's part sizes [" + MIN_CHUNK_SIZE + ", "
                    + MAX_CHUNK_SIZE + "]");
        }
        if (multipartCopyChunkSize < MIN_CHUNK_SIZE || multipartCopyChunkSize > MAX_CHUNK_SIZE) {
            throw invalid("multipartcopychunksize", multipartCopyChunkSize + " is outside S3's part sizes ["
                    + MIN_CHUNK_SIZE + ", " + MAX_CHUNK_SIZE + "]");
        }
        if (multipartCopyThresholdSize < 0 || multipartCopyThresholdSize > MAX_CHUNK_SIZE) {
            throw invalid("multipartcopythresholdsize", multipartCopyThresholdSize
                    + " must be between 0 and 5 GiB (the largest single CopyObject)");
        }
        if (maxConnections < 1) {
            throw invalid("maxconnections", "must be at least 1");
        }
        if (listPageSize < 1 || listPageSize > 1000) {
            throw invalid("listpagesize", "must be between 1 and 1000");
        }
    }

    /** A config with the defaults for everything but the bucket and the endpoint. */
    public static S3StorageConfig of(String bucket, URI regionEndpoint, String accessKey, String secretKey) {
        return new S3StorageConfig(bucket, DEFAULT_REGION, Optional.of(regionEndpoint), Optional.empty(),
                Optional.of(accessKey), Optional.of(secretKey), Optional.empty(), "", true,
                !"http".equals(regionEndpoint.getScheme()), DEFAULT_CHUNK_SIZE, DEFAULT_MULTIPART_COPY_SIZE,
                DEFAULT_MULTIPART_COPY_SIZE, 64, 1000);
    }

    /**
     * Reads the {@code storage.s3} map of a YAML config. Values may be YAML scalars of any type, as in
     * Distribution ({@code chunksize: 10485760} and {@code chunksize: "10485760"} are both fine).
     *
     * @throws IllegalArgumentException naming the key, for a missing bucket, an unknown key or a bad value
     */
    public static S3StorageConfig fromSettings(Map<String, ?> settings) {
        Map<String, Object> s = new LinkedHashMap<>();
        settings.forEach((k, v) -> s.put(k.toLowerCase(Locale.ROOT), v));
        for (String key : s.keySet()) {
            if (!KEYS.contains(key) && !IGNORED_DISTRIBUTION_KEYS.contains(key)) {
                throw invalid(key, "unknown key; known keys are " + new java.util.TreeSet<>(KEYS));
            }
        }
        boolean secure = bool(s, "secure", true);
        Optional<URI> regionEndpoint = endpoint(s, "regionendpoint", secure);
        return new S3StorageConfig(
                string(s, "bucket").orElseThrow(() -> invalid("bucket", "is required")),
                string(s, "region").orElse(DEFAULT_REGION),
                regionEndpoint,
                endpoint(s, "presignendpoint", secure),
                string(s, "accesskey"),
                string(s, "secretkey"),
                string(s, "sessiontoken"),
                string(s, "rootdirectory").orElse(""),
                // Distribution 2.x forced path-style whenever regionendpoint was set (3.x added the key,
                // default false): absent, follow 2.x so existing MinIO/Ceph configs keep working.
                bool(s, "forcepathstyle", regionEndpoint.isPresent()),
                secure,
                size(s, "chunksize", DEFAULT_CHUNK_SIZE),
                size(s, "multipartcopythresholdsize", DEFAULT_MULTIPART_COPY_SIZE),
                size(s, "multipartcopychunksize", DEFAULT_MULTIPART_COPY_SIZE),
                (int) size(s, "maxconnections", 64),
                (int) size(s, "listpagesize", 1000));
    }

    public S3StorageConfig withRootDirectory(String root) {
        return new S3StorageConfig(bucket, region, regionEndpoint, presignEndpoint, accessKey, secretKey,
                sessionToken, root, forcePathStyle, secure, chunkSize, multipartCopyThresholdSize,
                multipartCopyChunkSize, maxConnections, listPageSize);
    }

    public S3StorageConfig withChunkSizes(long chunk, long copyThreshold, long copyChunk) {
        return new S3StorageConfig(bucket, region, regionEndpoint, presignEndpoint, accessKey, secretKey,
                sessionToken, rootDirectory, forcePathStyle, secure, chunk, copyThreshold, copyChunk,
                maxConnections, listPageSize);
    }

    public S3StorageConfig withListPageSize(int pageSize) {
        return new S3StorageConfig(bucket, region, regionEndpoint, presignEndpoint, accessKey, secretKey,
                sessionToken, rootDirectory, forcePathStyle, secure, chunkSize, multipartCopyThresholdSize,
                multipartCopyChunkSize, maxConnections, pageSize);
    }

    public S3StorageConfig withPresignEndpoint(URI endpoint) {
        return new S3StorageConfig(bucket, region, regionEndpoint, Optional.of(endpoint), accessKey, secretKey,
                sessionToken, rootDirectory, forcePathStyle, secure, chunkSize, multipartCopyThresholdSize,
                multipartCopyChunkSize, maxConnections, listPageSize);
    }

    /** Never prints secrets: configs end up in logs. */
    @Override
    public String toString() {
        return "S3StorageConfig[bucket=" + bucket + ", region=" + region
                + ", regionEndpoint=" + regionEndpoint.map(URI::toString).orElse("(AWS)")
                + ", presignEndpoint=" + presignEndpoint.map(URI::toString).orElse("(same)")
                + ", credentials=" + (accessKey.isPresent() ? "accesskey " + accessKey.get() : "default chain")
                + ", rootDirectory=" + rootDirectory + ", forcePathStyle=" + forcePathStyle
                + ", secure=" + secure + ", chunkSize=" + chunkSize
                + ", multipartCopyThresholdSize=" + multipartCopyThresholdSize
                + ", multipartCopyChunkSize=" + multipartCopyChunkSize
                + ", maxConnections=" + maxConnections + ", listPageSize=" + listPageSize + "]";
    }

    private static Optional<String> string(Map<String, Object> s, String key) {
        Object value = s.get(key);
        if (value == null) {
            return Optional.empty();
        }
        if (value instanceof Map || value instanceof Iterable) {
            throw invalid(key, "must be a scalar, not " + value);
        }
        String text = value.toString().trim();
        return text.isEmpty() ? Optional.empty() : Optional.of(text);
    }

    private static boolean bool(Map<String, Object> s, String key, boolean defaultValue) {
        Optional<String> text = string(s, key);
        if (text.isEmpty()) {
            return defaultValue;
        }
        return switch (text.get().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw invalid(key, "'" + text.get() + "' is not a boolean");
        };
    }

    private static long size(Map<String, Object> s, String key, long defaultValue) {
        Optional<String> text = string(s, key);
        if (text.isEmpty()) {
            return defaultValue;
        }
        try {
            return Long.parseLong(text.get());
        } catch (NumberFormatException e) {
            throw invalid(key, "'" + text.get() + "' is not a whole number of bytes");
        }
    }

    /** Distribution accepts an endpoint without a scheme and picks http or https from {@code secure}. */
    private static Optional<URI> endpoint(Map<String, Object> s, String key, boolean secure) {
        Optional<String> text = string(s, key);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        String value = text.get().contains("://") ? text.get() : (secure ? "https://" : "http://") + text.get();
        try {
            URI uri = new URI(value);
            if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
                throw invalid(key, "'" + value + "' is not an http(s) URL with a host");
            }
            return Optional.of(uri);
        } catch (URISyntaxException e) {
            throw invalid(key, "'" + value + "' is not a URL: " + e.getMessage());
        }
    }

    private static IllegalArgumentException invalid(String key, String message) {
        return new IllegalArgumentException("storage.s3." + key + ": " + message);
    }
}
