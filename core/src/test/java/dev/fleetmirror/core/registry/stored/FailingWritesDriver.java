package dev.fleetmirror.core.registry.stored;

import dev.fleetmirror.core.storage.DelegatingStorageDriver;
import dev.fleetmirror.core.storage.FileWriter;
import dev.fleetmirror.core.storage.StorageDriver;
import dev.fleetmirror.core.storage.StorageException;

/**
 * A real driver whose writers fail once after storing half of one chunk, or once on commit, as a
 * full disk or a dropped connection would; no real backend can be made to fail at exactly that point.
 */
final class FailingWritesDriver extends DelegatingStorageDriver {
    private boolean failNextWrite;
    private boolean failNextCommit;

    FailingWritesDriver(StorageDriver real) {
        super(real);
    }

    void failNextWrite() {
        failNextWrite = true;
    }

    void failNextCommit() {
        failNextCommit = true;
    }

    @Override
    public FileWriter writer(String path, boolean append) {
        FileWriter writer = real.writer(path, append);
        return new FileWriter() {
            @Override
            public void write(byte[] bytes, int offset, int length) {
                if (failNextWrite) {
                    failNextWrite = false;
                    writer.write(bytes, offset, length / 2);
                    throw new StorageException(path, "injected failure after " + length / 2 + " bytes");
                }
                writer.write(bytes, offset, length);
            }

            @Override
            public long size() {
                return writer.size();
            }

            @Override
            public void commit() {
                if (failNextCommit) {
                    failNextCommit = false;
                    throw new StorageException(path, "injected failure on commit");
                }
                writer.commit();
            }

            @Override
            public void cancel() {
                writer.cancel();
            }

            @Override
            public void close() {
                writer.close();
            }
        };
    }
}
