package dev.fleetmirror.core.registry.stored;

import dev.fleetmirror.core.storage.DelegatingStorageDriver;
import dev.fleetmirror.core.storage.StorageDriver;
import java.io.InputStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** A real driver that counts the streams opened on each path, to prove what a service reads back. */
final class CountingReadsDriver extends DelegatingStorageDriver {
    private final Map<String, AtomicInteger> readers = new ConcurrentHashMap<>();

    CountingReadsDriver(StorageDriver real) {
        super(real);
    }

    int readersOpened(String path) {
        AtomicInteger count = readers.get(path);
        return count == null ? 0 : count.get();
    }

    @Override
    public InputStream reader(String path, long offset) {
        readers.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
        return real.reader(path, offset);
    }
}
