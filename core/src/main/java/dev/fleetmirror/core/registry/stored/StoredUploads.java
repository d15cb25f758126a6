package dev.fleetmirror.core.registry.stored;

import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.error.ErrorCode;
import dev.fleetmirror.core.error.RegistryException;
import dev.fleetmirror.core.registry.UploadSession;
import dev.fleetmirror.core.registry.Uploads;
import dev.fleetmirror.core.storage.FileWriter;
import dev.fleetmirror.core.storage.PathNotFoundException;
import dev.fleetmirror.core.storage.StorageDriver;
import dev.fleetmirror.core.storage.StoragePaths;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Upload sessions whose data lives in storage ({@code _uploads/<uuid>/}), so that each request of a
 * chunked push may land on any node, or on the same one after a restart. The running hash is kept
 * in memory ({@link RunningHashes}) by the node that last wrote to the upload, and recomputed from
 * storage at completion when the upload moved between nodes.
 */
final class StoredUploads implements Uploads {
    private static final Pattern UPLOAD_ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private final StorageDriver driver;
    private final StoredBlobs blobs;
    private final RunningHashes hashes;

    StoredUploads(StorageDriver driver, StoredBlobs blobs) {
        this.driver = driver;
        this.blobs = blobs;
        this.hashes = RunningHashes.withDefaults();
    }

    @Override
    public UploadSession start(RepositoryName repo) {
        String id = UUID.randomUUID().toString();
        Instant startedAt = Instant.now();
        driver.putContent(StoragePaths.uploadStartedAt(repo, id), startedAt.toString().getBytes(StandardCharsets.US_ASCII));
        return StoredUploadSession.fresh(driver, blobs, hashes, repo, id, startedAt);
    }

    @Override
    public UploadSession resume(RepositoryName repo, String uploadId) {
        Instant startedAt = startedAt(repo, requireId(repo, uploadId))
                .orElseThrow(() -> unknown(repo, uploadId));
        return StoredUploadSession.resumed(driver, blobs, hashes, repo, uploadId, startedAt);
    }

    @Override
    public void cancel(RepositoryName repo, String uploadId) {
        String id = requireId(repo, uploadId);
        hashes.forget(repo, id);
        try {
            driver.delete(StoragePaths.uploadDir(repo, id));
        } catch (PathNotFoundException e) {
            throw unknown(repo, uploadId);
        }
    }

    private Optional<Instant> startedAt(RepositoryName repo, String id) {
        String path = StoragePaths.uploadStartedAt(repo, id);
        byte[] content;
        try {
            content = driver.getContent(path);
        } catch (PathNotFoundException e) {
            return Optional.empty();
        }
        try {
            return Optional.of(OffsetDateTime.parse(new String(content, StandardCharsets.US_ASCII).trim()).toInstant());
        } catch (DateTimeParseException e) {
            // Only age-based purging reads this; an unreadable time must not make the upload unusable.
            return Optional.of(driver.stat(path).modifiedAt());
        }
    }

    /** Upload ids become path components, so anything but a canonical UUID is simply unknown. */
    private static String requireId(RepositoryName repo, String uploadId) {
        if (uploadId == null || !UPLOAD_ID.matcher(uploadId).matches()) {
            throw unknown(repo, uploadId);
        }
        return uploadId;
    }

    private static RegistryException unknown(RepositoryName repo, String uploadId) {
        String shown = uploadId == null ? "" : uploadId.length() > 64 ? uploadId.substring(0, 61) + "..." : uploadId;
        return new RegistryException(ErrorCode.BLOB_UPLOAD_UNKNOWN,
                "upload '" + shown + "' is unknown in " + repo + "; start a new upload with POST /v2/" + repo + "/blobs/uploads/");
    }

    /** Opens the upload's data writer: appending when something is there, fresh otherwise. */
    static FileWriter openDataWriter(StorageDriver driver, RepositoryName repo, String id) {
        return driver.writer(StoragePaths.uploadData(repo, id), true);
    }
}
