package dev.fleetmirror.coordination.gc;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The journal of a node that is its own cluster: a set in memory. */
public final class LocalWriteJournal implements WriteJournal {
    private final Set<String> paths = ConcurrentHashMap.newKeySet();
    private final MemberJournal member = new MemberJournal(paths::add);

    @Override
    public Writing writing(String path, boolean link) {
        return member.writing(path, link);
    }

    @Override
    public void start(Duration timeout) throws InterruptedException {
        paths.clear();
        if (!member.on(timeout.toMillis())) {
            member.off();
            throw new IllegalStateException("link writes still in flight after " + timeout + "; the GC did not start");
        }
    }

    @Override
    public Set<String> recorded() {
        return Set.copyOf(paths);
    }

    @Override
    public void stop() {
        member.off();
        paths.clear();
    }
}
