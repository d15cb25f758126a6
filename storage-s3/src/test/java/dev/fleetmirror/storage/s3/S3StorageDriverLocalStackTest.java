package dev.fleetmirror.storage.s3;

import dev.fleetmirror.core.storage.StorageDriver;
import dev.fleetmirror.core.storage.StorageDriverContract;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.condition.EnabledIf;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.localstack.LocalStackContainer;
import org.testcontainers.utility.DockerImageName;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The driver contract a second time, on LocalStack's S3, where a Docker engine is available; without
 * one the class is reported as skipped with the reason. The image tag is pinned to one that needs no
 * auth token.
 */
@EnabledIf(value = "dockerIsAvailable",
        disabledReason = "no Docker engine on this machine: the LocalStack run of the driver contract needs one")
class S3StorageDriverLocalStackTest extends StorageDriverContract {
    static final String BUCKET = "contract";
    static LocalStackContainer localstack;

    static boolean dockerIsAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException e) {
            return false;
        }
    }

    @BeforeAll
    static void startLocalStack() {
        localstack = new LocalStackContainer(DockerImageName.parse("localstack/localstack:4.14")).withServices("s3");
        localstack.start();
        try (S3Client s3 = S3Client.builder().endpointOverride(localstack.getEndpoint()).forcePathStyle(true)
                .region(software.amazon.awssdk.regions.Region.of(localstack.getRegion()))
                .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                        software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(
                                localstack.getAccessKey(), localstack.getSecretKey())))
                .httpClientBuilder(software.amazon.awssdk.http.apache5.Apache5HttpClient.builder())
                .build()) {
            s3.createBucket(b -> b.bucket(BUCKET));
        }
    }

    @AfterAll
    static void stopLocalStack() {
        if (localstack != null) {
            localstack.stop();
        }
    }

    @Override
    protected StorageDriver createDriver() {
        S3StorageConfig base = S3StorageConfig.of(BUCKET, localstack.getEndpoint(), localstack.getAccessKey(),
                localstack.getSecretKey());
        return S3StorageDriver.open(new S3StorageConfig(BUCKET, localstack.getRegion(), base.regionEndpoint(),
                Optional.empty(), base.accessKey(), base.secretKey(), Optional.empty(), "", true, false,
                S3StorageConfig.MIN_CHUNK_SIZE, S3StorageConfig.MIN_CHUNK_SIZE, S3StorageConfig.MIN_CHUNK_SIZE,
                16, 1000));
    }
}
