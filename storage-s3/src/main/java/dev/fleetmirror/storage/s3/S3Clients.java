package dev.fleetmirror.storage.s3;

import java.time.Duration;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * Builds the SDK clients from the config. The synchronous client over Apache HttpClient 5 streamed
 * fastest with the least heap in the measurements of issue 3; callers run it on worker threads.
 */
final class S3Clients {
    /**
     * How the SDK's standard retry strategy retries 5xx, connection failures and throttling (503
     * SlowDown): attempts include the first; delays grow exponentially with jitter from the base.
     */
    record Retries(int maxAttempts, Duration baseDelay, Duration throttlingBaseDelay) {
        static final Retries DEFAULT = new Retries(4, Duration.ofMillis(100), Duration.ofSeconds(1));
        static final Duration MAX_DELAY = Duration.ofSeconds(20);
    }

    private S3Clients() {
    }

    static S3Client client(S3StorageConfig config, List<ExecutionInterceptor> interceptors, Retries retries) {
        S3ClientBuilder builder = S3Client.builder()
                .httpClientBuilder(Apache5HttpClient.builder()
                        .maxConnections(config.maxConnections())
                        .connectionTimeout(Duration.ofSeconds(5))
                        .socketTimeout(Duration.ofSeconds(60))
                        .connectionAcquisitionTimeout(Duration.ofSeconds(30)))
                .region(Region.of(config.region()))
                .credentialsProvider(credentials(config))
                // Parts are files with a known length: a plain signed body is faster than aws-chunked
                // streaming signatures over plain HTTP, and some S3-compatible servers lack aws-chunked.
                .serviceConfiguration(S3Configuration.builder()
                        .pathStyleAccessEnabled(config.forcePathStyle())
                        .chunkedEncodingEnabled(false)
                        .build())
                // S3-compatible servers (S3Proxy, older MinIO and Ceph) reject or ignore the newer
                // flexible checksums: send and verify them only where the API demands one.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .overrideConfiguration(o -> o
                        .retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder()
                                .maxAttempts(retries.maxAttempts())
                                .backoffStrategy(BackoffStrategy.exponentialDelay(retries.baseDelay(), Retries.MAX_DELAY))
                                .throttlingBackoffStrategy(BackoffStrategy.exponentialDelay(
                                        retries.throttlingBaseDelay(), Retries.MAX_DELAY))
                                .build())
                        .executionInterceptors(interceptors));
        config.regionEndpoint().ifPresent(builder::endpointOverride);
        return builder.build();
    }

    /** Presigned URLs name the endpoint clients can reach, which may not be the one the nodes use. */
    static S3Presigner presigner(S3StorageConfig config) {
        S3Presigner.Builder builder = S3Presigner.builder()
                .region(Region.of(config.region()))
                .credentialsProvider(credentials(config))
                .serviceConfiguration(S3Configuration.builder()
                        .pathStyleAccessEnabled(config.forcePathStyle())
                        .build());
        config.presignEndpoint().or(config::regionEndpoint).ifPresent(builder::endpointOverride);
        return builder.build();
    }

    private static AwsCredentialsProvider credentials(S3StorageConfig config) {
        if (config.accessKey().isEmpty()) {
            return DefaultCredentialsProvider.builder().build();
        }
        AwsCredentials credentials = config.sessionToken()
                .<AwsCredentials>map(token -> AwsSessionCredentials.create(
                        config.accessKey().get(), config.secretKey().get(), token))
                .orElseGet(() -> AwsBasicCredentials.create(config.accessKey().get(), config.secretKey().get()));
        return StaticCredentialsProvider.create(credentials);
    }
}
