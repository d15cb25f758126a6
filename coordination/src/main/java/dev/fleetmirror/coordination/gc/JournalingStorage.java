package dev.fleetmirror.coordination.gc;

import dev.fleetmirror.core.storage.FileInfo;
import dev.fleetmirror.core.storage.FileWriter;
import dev.fleetmirror.core.storage.StorageDriver;
import dev.fleetmirror.core.storage.StoragePaths;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A {@link StorageDriver} that tells the {@link WriteJournal} of every write that can make content
 * referenced: repository links ({@code _manifests/}, {@code _layers/}) and blob data. Wraps the
 * driver every request of a node writes through; the GC's own driver is not wrapped.
 */
public final class JournalingStorage implements StorageDriver {
    private final StorageDriver storage;
    private final WriteJournal journal;

    public JournalingStorage(StorageDriver storage, WriteJournal journal) {
        this.storage = storage;
        this.journal = journal;
    }

    /** The kind of a path for the journal: a link, blob data, or neither (null). */
    static Boolean link(String path) {
        if (path.startsWith(StoragePaths.REPOSITORIES + "/") && path.endsWith("/link")
                && (path.contains("/_manifests/") || path.contains("/_layers/"))) {
            return Boolean.TRUE;
        }
        if (path.startsWith(StoragePaths.BLOBS + "/") && path.endsWith("/data")) {
            return Boolean.FALSE;
        }
        return null;
    }

    private WriteJournal.Writing writing(String path) {
        Boolean link = link(path);
        return link == null ? WriteJournal.Writing.NONE : journal.writing(path, link);
    }

    @Override
    public String name() {
        return storage.name();
    }

    @Override
    public byte[] getContent(String path) {
        return storage.getContent(path);
    }

    @Override
    public void putContent(String path, byte[] content) {
        try (WriteJournal.Writing ignored = writing(path)) {
            storage.putContent(path, content);
        }
    }

    @Override
    public InputStream reader(String path, long offset) {
        return storage.reader(path, offset);
    }

    @Override
    public FileWriter writer(String path, boolean append) {
        WriteJournal.Writing writing = writing(path);
        FileWriter writer;
        try {
            writer = storage.writer(path, append);
        } catch (RuntimeException e) {
            writing.close();
            throw e;
        }
        return new FileWriter() {
            @Override
            public void write(byte[] bytes, int offset, int length) {
                writer.write(bytes, offset, length);
            }

            @Override
            public long size() {
                return writer.size();
            }

            @Override
            public void commit() {
                try {
                    writer.commit();
                } finally {
                    writing.close();
                }
            }

            @Override
            public void cancel() {
                try {
                    writer.cancel();
                } finally {
                    writing.close();
                }
            }

            @Override
            public void close() {
                try {
                    writer.close();
                } finally {
                    writing.close();
                }
            }
        };
    }

    @Override
    public FileInfo stat(String path) {
        return storage.stat(path);
    }

    @Override
    public List<String> list(String path) {
        return storage.list(path);
    }

    @Override
    public void move(String sourcePath, String destPath) {
        try (WriteJournal.Writing ignored = writing(destPath)) {
            storage.move(sourcePath, destPath);
        }
    }

    @Override
    public void delete(String path) {
        storage.delete(path);
    }

    @Override
    public void walk(String dir, Consumer<FileInfo> visitor) {
        storage.walk(dir, visitor);
    }

    @Override
    public void deleteFiles(Collection<String> paths) {
        storage.deleteFiles(paths);
    }

    @Override
    public Optional<URI> redirectUrl(String path, Duration validFor) {
        return storage.redirectUrl(path, validFor);
    }

    @Override
    public Optional<Path> localFile(String path) {
        return storage.localFile(path);
    }

    @Override
    public void close() {
        storage.close();
    }
}
