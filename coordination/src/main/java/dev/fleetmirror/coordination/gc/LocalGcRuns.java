package dev.fleetmirror.coordination.gc;

import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/** The GC run of a node that is its own cluster: nobody else can hold it, nobody can abandon it. */
public final class LocalGcRuns implements GcRuns {
    private final String memberId;
    private final AtomicReference<GcRunInfo> current = new AtomicReference<>();

    public LocalGcRuns(String memberId) {
        this.memberId = memberId;
    }

    @Override
    public Optional<GcRun> claim(String trigger) {
        GcRunInfo info = new GcRunInfo(UUID.randomUUID().toString(), memberId, Instant.now(), trigger, "claimed");
        if (!current.compareAndSet(null, info)) {
            return Optional.empty();
        }
        return Optional.of(new SlotRun(info) {
            @Override
            boolean swap(GcRunInfo from, GcRunInfo to) {
                return current.compareAndSet(from, to);
            }
        });
    }

    @Override
    public Optional<GcRunInfo> current() {
        return Optional.ofNullable(current.get());
    }

    @Override
    public void onAbandoned(Consumer<GcRunInfo> handler) {
        // A member alone cannot lose the member that runs its GC without losing itself.
    }

    @Override
    public void close() {
        current.set(null);
    }
}
