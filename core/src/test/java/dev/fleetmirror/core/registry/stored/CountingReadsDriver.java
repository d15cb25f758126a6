package dev.fleetmirror.core.registry.stored;

import dev.fleetmirror.core.storage.FileInfo;
import dev.fleetmirror.core.storage.FileWriter;
import dev.fleetmirror.core.storage.StorageDriver;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** A real driver that counts the streams opened on each path, to prove what a service reads back. */
final class CountingReadsDriver implements StorageDriver {
    private final StorageDriver real;
    private final Map<String, AtomicInteger> readers = new ConcurrentHashMap<>();

    CountingReadsDriver(StorageDriver real) {
        this.real = real;
    }

    int readersOpened(String path) {
        AtomicInteger count = readers.get(path);
        return count == null ? 0 : count.get();
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
        readers.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
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
