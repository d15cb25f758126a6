package dev.fleetmirror.storage.s3;

import dev.fleetmirror.core.storage.FileWriter;
import dev.fleetmirror.core.storage.StorageException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * A writer of unknown length: bytes are spooled until a part of {@code chunksize} is full, which is
 * then sent with UploadPart (in the background, while the next part fills) into one multipart
 * upload, completed only by {@link #commit()}. Content shorter than one part is one PUT.
 *
 * <p><b>Resuming across writers, processes and nodes.</b> {@link #close()} without commit sends a
 * tail of 5 MiB or more as a part, then saves a {@link PendingWrite} in the bucket: the upload id, the
 * parts sent, and the tail (under 5 MiB, which S3 cannot accept as a part that is not the last). {@code writer(path, true)} on any node loads
 * it, refills the spool with the tail and goes on. Nothing depends on ListMultipartUploads, which
 * S3-compatible servers implement unevenly (Distribution's driver crashes on S3Proxy's listing), and
 * the bytes end up exactly those written, whatever the chunk boundaries of the requests were.
 *
 * <p><b>Failures.</b> When an S3 call fails, the writer is broken: {@link #close()} then keeps the
 * pending write as it was when this writer opened (and aborts an upload this writer started), and
 * {@link #size()} reports that size, so the caller knows exactly which bytes are stored.
 */
final class S3FileWriter implements FileWriter {
    /** S3's limit on the parts of one upload. */
    static final int MAX_PARTS = 10_000;

    private enum State { OPEN, COMMITTED, CANCELLED, CLOSED }

    private final Bucket bucket;
    private final PendingWrites pendingWrites;
    private final String path;
    private final String key;
    private final long chunkSize;
    private PartSpool spool;
    /** The spool of the part being sent in the background, reused once it is sent. */
    private PartSpool otherSpool;
    private Future<String> inFlight;
    private int inFlightNumber;
    private long inFlightSize;
    private final boolean resumed;
    /** What storage holds for this path while this writer has not closed: what a failed writer reverts to. */
    private final long sizeAtOpen;
    private final List<PendingWrite.Part> parts = new ArrayList<>();
    private String uploadId;
    private boolean startedUpload;
    private long partsSize;
    private long spoolSize;
    private boolean changed;
    private boolean broken;
    private State state = State.OPEN;

    private S3FileWriter(Bucket bucket, PendingWrites pendingWrites, String path, PartSpool spool,
                         Optional<PendingWrite> resumedFrom) {
        this.bucket = bucket;
        this.pendingWrites = pendingWrites;
        this.path = path;
        this.key = bucket.keys.file(path);
        this.chunkSize = bucket.config.chunkSize();
        this.spool = spool;
        this.resumed = resumedFrom.isPresent();
        resumedFrom.ifPresent(pending -> {
            uploadId = pending.uploadId().orElse(null);
            parts.addAll(pending.parts());
            partsSize = pending.partsSize();
            spoolSize = pending.tailSize();
        });
        this.sizeAtOpen = partsSize + spoolSize;
    }

    /** Opens a writer; with {@code append}, resumes the pending write of the path if there is one. */
    static S3FileWriter open(Bucket bucket, PendingWrites pendingWrites, String path, boolean append) {
        PartSpool spool = new PartSpool(path);
        try {
            Optional<PendingWrite> pending;
            if (append) {
                pending = pendingWrites.load(path, spool);
            } else {
                pendingWrites.discard(path);
                pending = Optional.empty();
            }
            return new S3FileWriter(bucket, pendingWrites, path, spool, pending);
        } catch (RuntimeException e) {
            spool.close();
            throw e;
        }
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
        requireOpen();
        int position = offset;
        int remaining = length;
        try {
            while (remaining > 0) {
                int n = (int) Math.min(remaining, chunkSize - spoolSize);
                spool.append(bytes, position, n);
                spoolSize += n;
                position += n;
                remaining -= n;
                changed = true;
                if (spoolSize == chunkSize) {
                    sendSpooledPartInBackground();
                }
            }
        } catch (RuntimeException e) {
            broken = true;
            throw e;
        }
    }

    /** After a failure, the size of what stays stored: the pending write as this writer found it. */
    @Override
    public long size() {
        return broken ? sizeAtOpen : partsSize + inFlightSize + spoolSize;
    }

    @Override
    public void commit() {
        requireOpen();
        try {
            awaitPartInFlight();
            if (uploadId != null && parts.isEmpty() && spoolSize == 0) {
                // An upload was started but no part ever reached it: nothing to complete.
                pendingWrites.abort(path, uploadId);
                uploadId = null;
            }
            if (uploadId == null) {
                bucket.run("put", path, () -> bucket.s3.putObject(
                        b -> b.bucket(bucket.name).key(key).contentType("application/octet-stream"),
                        RequestBody.fromContentProvider(spool::newInputStream, spoolSize, "application/octet-stream")));
            } else {
                if (spoolSize > 0) {
                    uploadSpooledPart();
                }
                List<CompletedPart> completed = parts.stream()
                        .map(p -> CompletedPart.builder().partNumber(p.number()).eTag(p.etag()).build())
                        .toList();
                bucket.run("complete multipart upload of", path, () -> bucket.s3.completeMultipartUpload(
                        b -> b.bucket(bucket.name).key(key).uploadId(uploadId)
                                .multipartUpload(m -> m.parts(completed))));
            }
            if (resumed) {
                pendingWrites.remove(path);
            }
        } catch (RuntimeException e) {
            broken = true;
            throw e;
        }
        finish(State.COMMITTED);
    }

    @Override
    public void cancel() {
        if (state != State.OPEN) {
            throw new IllegalStateException("writer of " + path + " is " + state.name().toLowerCase());
        }
        try {
            awaitPartInFlightQuietly();
            if (uploadId != null) {
                pendingWrites.abort(path, uploadId);
            }
            if (resumed) {
                pendingWrites.remove(path);
            }
        } finally {
            finish(State.CANCELLED);
        }
    }

    @Override
    public void close() {
        if (state != State.OPEN) {
            return;
        }
        try {
            if (!broken) {
                try {
                    awaitPartInFlight();
                } catch (StorageException e) {
                    broken = true;
                    rollBack();
                    throw e;
                }
            }
            if (broken) {
                rollBack();
            } else if (changed) {
                sendTailThatIsAPartAlready();
                pendingWrites.save(path, new PendingWrite(Optional.ofNullable(uploadId), parts, spoolSize), spool);
            }
        } finally {
            finish(State.CLOSED);
        }
    }

    /**
     * Any part but the last may be as small as 5 MiB, so a tail that large goes to S3 now instead of
     * into the pending state: the next writer then downloads and re-sends less than 5 MiB, whatever
     * {@code chunksize} is. If sending it fails, it is simply kept as the tail.
     */
    private void sendTailThatIsAPartAlready() {
        if (spoolSize < S3StorageConfig.MIN_CHUNK_SIZE || parts.size() == MAX_PARTS) {
            return;
        }
        try {
            uploadSpooledPart();
        } catch (StorageException e) {
            // The spool and the part list are unchanged by a failed upload; the state saved next is whole.
        }
    }

    /** Keeps the stored state as this writer found it: an upload this writer started goes away. */
    private void rollBack() {
        awaitPartInFlightQuietly();
        if (startedUpload) {
            pendingWrites.abort(path, uploadId);
        }
    }

    /**
     * Sends the full spool while the caller goes on filling the other one, so receiving and sending
     * overlap; at most one part is in flight per writer, so at most two spools exist.
     */
    private void sendSpooledPartInBackground() {
        awaitPartInFlight();
        int number = nextPartNumber();
        long size = spoolSize;
        PartSpool full = spool;
        String id = uploadId;
        inFlight = bucket.partUploads.submit(() -> uploadPart(id, number, full, size));
        inFlightNumber = number;
        inFlightSize = size;
        spool = otherSpool != null ? otherSpool : new PartSpool(path);
        otherSpool = full;
        spoolSize = 0;
    }

    private void uploadSpooledPart() {
        awaitPartInFlight();
        int number = nextPartNumber();
        String etag = uploadPart(uploadId, number, spool, spoolSize);
        parts.add(new PendingWrite.Part(number, spoolSize, etag));
        partsSize += spoolSize;
        spool.clear();
        spoolSize = 0;
    }

    /** The number of the next part, starting the multipart upload first if needed. */
    private int nextPartNumber() {
        if (parts.size() == MAX_PARTS) {
            throw new StorageException(path, path + " would need more than " + MAX_PARTS + " parts of "
                    + chunkSize + " bytes: raise storage.s3.chunksize");
        }
        if (uploadId == null) {
            uploadId = bucket.call("start multipart upload of", path, () -> bucket.s3.createMultipartUpload(
                    b -> b.bucket(bucket.name).key(key).contentType("application/octet-stream")).uploadId());
            startedUpload = true;
        }
        return parts.size() + 1;
    }

    private String uploadPart(String id, int number, PartSpool from, long size) {
        return bucket.call("upload part " + number + " of", path, () -> bucket.s3.uploadPart(
                b -> b.bucket(bucket.name).key(key).uploadId(id).partNumber(number).contentLength(size),
                RequestBody.fromFile(from.file())).eTag());
    }

    /** Waits for the part sent in the background and records it; its failure is this writer's. */
    private void awaitPartInFlight() {
        if (inFlight == null) {
            return;
        }
        try {
            String etag = inFlight.get();
            parts.add(new PendingWrite.Part(inFlightNumber, inFlightSize, etag));
            partsSize += inFlightSize;
            otherSpool.clear();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r
                    : new StorageException(path, "upload of part " + inFlightNumber + " of " + path + " failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException(path, "interrupted while part " + inFlightNumber + " of " + path + " was sent", e);
        } finally {
            inFlight = null;
            inFlightSize = 0;
        }
    }

    private void awaitPartInFlightQuietly() {
        try {
            awaitPartInFlight();
        } catch (RuntimeException e) {
            // Failing or not, the part is no longer being sent, which is all the caller needs.
        }
    }

    private void requireOpen() {
        if (state != State.OPEN) {
            throw new IllegalStateException("writer of " + path + " is " + state.name().toLowerCase());
        }
        if (broken) {
            throw new IllegalStateException("writer of " + path + " failed earlier; open a new one to resume");
        }
    }

    private void finish(State next) {
        state = next;
        spool.close();
        if (otherSpool != null) {
            otherSpool.close();
        }
    }
}
