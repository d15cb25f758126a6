package dev.fleetmirror.core.registry.stored;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.registry.BlobDescriptor;
import dev.fleetmirror.core.error.ErrorCode;
import dev.fleetmirror.core.error.RegistryException;
import dev.fleetmirror.core.storage.StoragePaths;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StoredBlobsTest extends RegistryFixture {
    static final RepositoryName A = RepositoryName.of("team/a");
    static final RepositoryName B = RepositoryName.of("team/b");
    static final byte[] CONTENT = "0123456789".getBytes(StandardCharsets.US_ASCII);

    @Test
    void blobIsVisibleOnlyInRepositoriesItIsLinkedInto() {
        Digest digest = push.blob(A, CONTENT);

        assertThat(registry.blobs().stat(A, digest)).contains(new BlobDescriptor(digest, 10));
        assertThat(registry.blobs().stat(B, digest)).isEmpty();
    }

    @Test
    void linkWithoutDataIsNotABlob() throws IOException {
        Digest digest = push.blob(A, CONTENT);
        Files.delete(root.resolve(StoragePaths.blobData(digest).substring(1)));

        assertThat(registry.blobs().stat(A, digest)).isEmpty();
    }

    @Test
    void openReadsFromAnOffset() throws IOException {
        Digest digest = push.blob(A, CONTENT);

        try (InputStream in = registry.blobs().open(digest, 4)) {
            assertThat(in.readAllBytes()).isEqualTo("456789".getBytes(StandardCharsets.US_ASCII));
        }
        try (InputStream in = registry.blobs().open(digest, 10)) {
            assertThat(in.readAllBytes()).isEmpty();
        }
    }

    @Test
    void openBeyondTheEndIsRangeInvalidAndOfAnUnknownBlobIsBlobUnknown() {
        Digest digest = push.blob(A, CONTENT);

        assertThatThrownBy(() -> registry.blobs().open(digest, 11)).isInstanceOfSatisfying(RegistryException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.RANGE_INVALID));
        assertThatThrownBy(() -> registry.blobs().open(Digest.sha256(new byte[] {9}), 0))
                .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BLOB_UNKNOWN));
    }

    @Test
    void localFileIsTheStoredData() throws IOException {
        Digest digest = push.blob(A, CONTENT);

        assertThat(Files.readAllBytes(registry.blobs().localFile(digest).orElseThrow())).isEqualTo(CONTENT);
        assertThat(registry.blobs().redirectUrl(digest)).isEmpty();
    }

    @Test
    void mountFromARepositoryHoldingTheBlobLinksIt() {
        Digest digest = push.blob(A, CONTENT);

        assertThat(registry.blobs().mount(B, A, digest)).contains(new BlobDescriptor(digest, 10));
        assertThat(registry.blobs().stat(B, digest)).isPresent();
    }

    @Test
    void mountFromARepositoryNotHoldingTheBlobMountsNothing() {
        Digest digest = push.blob(A, CONTENT);
        RepositoryName c = RepositoryName.of("team/c");

        assertThat(registry.blobs().mount(B, c, digest)).isEmpty();
        assertThat(registry.blobs().stat(B, digest)).isEmpty();
    }

    @Test
    void linkingStoredDataNeedsNoSourceRepositoryButStoredData() {
        Digest digest = push.blob(A, CONTENT);

        assertThat(registry.blobs().linkStored(B, digest)).contains(new BlobDescriptor(digest, 10));
        assertThat(registry.blobs().stat(B, digest)).isPresent();
        assertThat(registry.blobs().linkStored(B, Digest.sha256(new byte[] {1}))).isEmpty();
    }

    @Test
    void deleteUnlinksButKeepsTheData() {
        Digest digest = push.blob(A, CONTENT);
        registry.blobs().mount(B, A, digest);

        registry.blobs().delete(A, digest);

        assertThat(registry.blobs().stat(A, digest)).isEmpty();
        assertThat(registry.blobs().stat(B, digest)).isPresent();
        assertThat(root.resolve(StoragePaths.blobData(digest).substring(1))).exists();
        assertThat(root.resolve(StoragePaths.layerLink(A, digest).substring(1)).getParent()).doesNotExist();
    }

    @Test
    void deleteOfABlobNotLinkedIsBlobUnknown() {
        Digest digest = push.blob(A, CONTENT);

        assertThatThrownBy(() -> registry.blobs().delete(B, digest)).isInstanceOfSatisfying(RegistryException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.BLOB_UNKNOWN));
    }

    @Test
    void deleteIsUnsupportedWhenDeletesAreDisabledAndChangesNothing() {
        Digest digest = push.blob(A, CONTENT);

        assertThatThrownBy(() -> withDeletesDisabled().blobs().delete(A, digest))
                .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED));
        assertThat(registry.blobs().stat(A, digest)).isPresent();
    }
}
