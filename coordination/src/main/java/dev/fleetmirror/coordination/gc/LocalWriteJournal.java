package dev.fleetmirror.coordination.gc;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The journal of a node that is its own cluster: a set in memory. */
public final class LocalWriteJournal extends MemberJournal {
    private final Set<String> paths = ConcurrentHashMap.newKeySet();

    @Override
    void record(String path) {
        paths.add(path);
    }

    @Override
    public void start(Duration timeout) throws InterruptedException {
        paths.clear();
        if (!on(timeout.toMillis())) {
            off();
            throw new IllegalStateException("link writes still in flight after " + timeout + "; the GC did not start");
        }
    }

    @Override
    public Set<String> recorded() {
        return Set.copyOf(paths);
    }

    @Override
    public void stop() {
        off();
        paths.clear();
    }
}
