package dev.fleetmirror.core.storage;

import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A real driver behind a test's wrapper: every call goes through to it, so a subclass overrides
 * only the call it watches or breaks (counting reads, failing one write). {@link #close()} stays
 * the no-op default: the test that made the real driver closes it.
 */
public abstract class DelegatingStorageDriver implements StorageDriver {
    protected final StorageDriver real;

    protected DelegatingStorageDriver(StorageDriver real) {
        this.real = real;
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
        return real.writer(path, append);
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

    @Override
    public Optional<URI> redirectUrl(String path, Duration validFor) {
        return real.redirectUrl(path, validFor);
    }

    @Override
    public Optional<Path> localFile(String path) {
        return real.localFile(path);
    }
}
