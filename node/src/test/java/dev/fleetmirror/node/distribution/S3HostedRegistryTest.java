package dev.fleetmirror.node.distribution;

import dev.fleetmirror.node.config.StorageBackend;
import dev.fleetmirror.storage.s3.S3StorageConfig;
import dev.fleetmirror.storage.s3.testing.S3ProxyExtension;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The hosted-registry contract on S3 (S3Proxy, a real S3 endpoint): blobs stream from ranged GETs. */
class S3HostedRegistryTest extends HostedRegistryContract {
    @RegisterExtension
    static final S3ProxyExtension S3 = new S3ProxyExtension("hosted");

    @Override
    protected StorageBackend storageBackend(Path workDir) {
        // Smallest parts, so that the contract's larger uploads cross part boundaries.
        long min = S3StorageConfig.MIN_CHUNK_SIZE;
        return new StorageBackend.S3(S3.config().withChunkSizes(min, min, min));
    }
}
