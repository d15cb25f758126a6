package dev.fleetmirror.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class S3StorageConfigTest {

    @Test
    void distributionKeysAreReadWithItsDefaults() {
        S3StorageConfig config = S3StorageConfig.fromSettings(Map.of(
                "accesskey", "AK", "secretkey", "SK", "region", "eu-west-1", "bucket", "registry",
                "regionendpoint", "minio:9000", "secure", false, "rootdirectory", "/reg",
                "forcepathstyle", "true", "chunksize", "20971520", "v4auth", true));

        assertThat(config.bucket()).isEqualTo("registry");
        assertThat(config.region()).isEqualTo("eu-west-1");
        assertThat(config.regionEndpoint()).contains(URI.create("http://minio:9000"));
        assertThat(config.accessKey()).contains("AK");
        assertThat(config.rootDirectory()).isEqualTo("/reg");
        assertThat(config.forcePathStyle()).isTrue();
        assertThat(config.chunkSize()).isEqualTo(20 * S3StorageConfig.MIB);
        assertThat(config.multipartCopyThresholdSize()).isEqualTo(32 * S3StorageConfig.MIB);
        assertThat(config.presignEndpoint()).isEmpty();
    }

    @Test
    void absentSecretKeyMeansTheDefaultCredentialChain() {
        S3StorageConfig config = S3StorageConfig.fromSettings(Map.of("bucket", "b"));

        assertThat(config.accessKey()).isEmpty();
        assertThat(config.secretKey()).isEmpty();
        assertThat(config.region()).isEqualTo("us-east-1");
        assertThat(config.secure()).isTrue();
        assertThat(config.forcePathStyle()).as("virtual-host style on AWS").isFalse();
        assertThat(config.chunkSize()).isEqualTo(10 * S3StorageConfig.MIB);
    }

    @Test
    void aRegionEndpointWithoutForcePathStyleIsPathStyleAsInDistribution2() {
        S3StorageConfig config = S3StorageConfig.fromSettings(Map.of("bucket", "b", "regionendpoint", "http://minio:9000"));

        assertThat(config.forcePathStyle()).isTrue();
        assertThat(S3StorageConfig.fromSettings(Map.of("bucket", "b", "regionendpoint", "http://minio:9000",
                "forcepathstyle", false)).forcePathStyle()).isFalse();
    }

    @Test
    void presignEndpointIsSeparateFromTheRegionEndpoint() {
        S3StorageConfig config = S3StorageConfig.fromSettings(Map.of("bucket", "b",
                "regionendpoint", "http://minio.internal:9000", "presignendpoint", "https://s3.example.com"));

        assertThat(config.regionEndpoint()).contains(URI.create("http://minio.internal:9000"));
        assertThat(config.presignEndpoint()).contains(URI.create("https://s3.example.com"));
    }

    @Test
    void chunkSizeBelowS3sSmallestPartIsRejectedNamingTheKey() {
        assertThatThrownBy(() -> S3StorageConfig.fromSettings(Map.of("bucket", "b", "chunksize", 1048576)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("storage.s3.chunksize");
    }

    @Test
    void missingBucketUnknownKeysAndHalfCredentialsAreRejected() {
        assertThatThrownBy(() -> S3StorageConfig.fromSettings(Map.of("region", "x")))
                .hasMessageContaining("storage.s3.bucket");
        assertThatThrownBy(() -> S3StorageConfig.fromSettings(Map.of("bucket", "b", "chunksise", 5)))
                .hasMessageContaining("storage.s3.chunksise").hasMessageContaining("unknown");
        assertThatThrownBy(() -> S3StorageConfig.fromSettings(Map.of("bucket", "b", "accesskey", "AK")))
                .hasMessageContaining("secretkey");
        assertThatThrownBy(() -> S3StorageConfig.fromSettings(Map.of("bucket", "b", "secure", "maybe")))
                .hasMessageContaining("storage.s3.secure");
    }

    @Test
    void toStringNeverShowsTheSecret() {
        S3StorageConfig config = new S3StorageConfig("b", "r", Optional.empty(), Optional.empty(), Optional.of("AK"),
                Optional.of("very-secret"), Optional.of("token-secret"), "", false, true, 5 * S3StorageConfig.MIB,
                0, 5 * S3StorageConfig.MIB, 1, 1);

        assertThat(config.toString()).contains("AK").doesNotContain("very-secret").doesNotContain("token-secret");
    }
}
