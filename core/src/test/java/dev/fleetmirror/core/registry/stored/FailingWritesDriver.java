package dev.fleetmirror.core.registry.stored;

import dev.fleetmirror.core.storage.FileInfo;
import dev.fleetmirror.core.storage.FileWriter;
import dev.fleetmirror.core.storage.StorageDriver;
import dev.fleetmirror.core.storage.StorageException;
import java.io.InputStream;
import java.util.List;

/**
 * A real driver whose writers fail once after storing half of one chunk, or once on commit, as a
 * full disk or a dropped connection would; no real backend can be made to fail at exactly that point.
 */
final class FailingWritesDriver implements StorageDriver {
    private final StorageDriver real;
    private boolean failNextWrite;
    private boolean failNextCommit;

    FailingWritesDriver(StorageDriver real) {
        this.real = real;
    }

    void failNextWrite() {
        failNextWrite = true;
    }

    void failNextCommit() {
        failNextCommit = true;
    }

    @Override
    public String name() {
        return real.name();
    }

    @Override
    public byte[] getContent(String path) {
        return real.getContent(path);
    }

    @Override
    public void putContent(String path, byte[] content) {
        real.putContent(path, content);
    }

    @Override
    public InputStream reader(String path, long offset) {
        return real.reader(path, offset);
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

    @Override
    public FileInfo stat(String path) {
        return real.stat(path);
    }

    @Override
    public List<String> list(String path) {
        return real.list(path);
    }

    @Override
    public void move(String sourcePath, String destPath) {
        real.move(sourcePath, destPath);
    }

    @Override
    public void delete(String path) {
        real.delete(path);
    }
}
