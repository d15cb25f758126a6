package dev.fleetmirror.coordination.blob;

import dev.fleetmirror.core.digest.Digest;
import dev.fleetmirror.core.name.RepositoryName;
import dev.fleetmirror.core.registry.BlobDescriptor;
import dev.fleetmirror.core.registry.UploadSession;
import dev.fleetmirror.core.registry.Uploads;
import java.time.Instant;

/**
 * Uploads whose commit starts the repository's next {@link BlobIndex} generation: a commit links
 * the blob, so a member that remembered it absent (a client's HEAD before its push, a pull before
 * a fill stored it) must forget that on the next request. Pushes and fills both commit here.
 */
public final class IndexedUploads implements Uploads {
    private final Uploads stored;
    private final BlobIndex index;

    public IndexedUploads(Uploads stored, BlobIndex index) {
        this.stored = stored;
        this.index = index;
    }

    @Override
    public UploadSession start(RepositoryName repo) {
        return new Session(stored.start(repo));
    }

    @Override
    public UploadSession resume(RepositoryName repo, String uploadId) {
        return new Session(stored.resume(repo, uploadId));
    }

    @Override
    public void cancel(RepositoryName repo, String uploadId) {
        stored.cancel(repo, uploadId);
    }

    private final class Session implements UploadSession {
        private final UploadSession session;

        Session(UploadSession session) {
            this.session = session;
        }

        @Override
        public String id() {
            return session.id();
        }

        @Override
        public RepositoryName repository() {
            return session.repository();
        }

        @Override
        public Instant startedAt() {
            return session.startedAt();
        }

        @Override
        public long size() {
            return session.size();
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            session.write(bytes, offset, length);
        }

        @Override
        public BlobDescriptor complete(Digest expected) {
            try {
                return session.complete(expected);
            } finally {
                index.changed(session.repository());
            }
        }

        @Override
        public void close() {
            session.close();
        }
    }
}
