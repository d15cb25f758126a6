package dev.fleetmirror.coordination.fill;

import dev.fleetmirror.core.digest.Digest;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Fill leases of a node that is its own cluster. The lease lives as long as the process: there is
 * nobody to take a fill over from, so a lease never lapses on its own and is only given up by
 * {@link FillLease#release()}. The outcome a fill leaves behind is kept beside the leases for
 * {@link FillLeases#REMEMBERED}.
 */
public final class LocalFillLeases implements FillLeases {
    private final String memberId;
    private final Supplier<String> peerUrl;
    private final Map<Digest, Lease> leases = new ConcurrentHashMap<>();
    private final Map<Digest, Remembered> outcomes = new ConcurrentHashMap<>();

    private record Remembered(FillOutcome outcome, String origin, long until) {
        boolean current() {
            return System.nanoTime() - until < 0;
        }
    }

    public LocalFillLeases(String memberId, Supplier<String> peerUrl) {
        this.memberId = memberId;
        this.peerUrl = peerUrl;
    }

    @Override
    public synchronized FillClaim claim(Digest digest, String origin) {
        Remembered remembered = outcomes.get(digest);
        if (remembered != null && !remembered.current()) {
            outcomes.remove(digest, remembered);
        } else if (remembered != null && (remembered.outcome() == FillOutcome.STORED
                || !remembered.origin().isEmpty() && remembered.origin().equals(origin))) {
            return new FillClaim.Settled(remembered.outcome(), remembered.origin());
        } else if (remembered != null) {
            outcomes.remove(digest, remembered);
        }
        Lease fresh = new Lease(new FillHolder(digest, memberId, peerUrl.get(), -1, Instant.now(), origin));
        Lease existing = leases.putIfAbsent(digest, fresh);
        return existing == null ? new FillClaim.Won(fresh) : new FillClaim.Held(existing.holder);
    }

    @Override
    public synchronized void forgetStored(Digest digest) {
        Remembered remembered = outcomes.get(digest);
        if (remembered != null && remembered.outcome() == FillOutcome.STORED) {
            outcomes.remove(digest, remembered);
        }
    }

    @Override
    public Optional<FillHolder> holder(Digest digest) {
        return Optional.ofNullable(leases.get(digest)).map(lease -> lease.holder);
    }

    @Override
    public List<FillHolder> inFlight() {
        return leases.values().stream().map(lease -> lease.holder)
                .sorted(Comparator.comparing(FillHolder::since)).toList();
    }

    @Override
    public void close() {
        leases.clear();
        outcomes.clear();
    }

    private final class Lease implements FillLease {
        private volatile FillHolder holder;

        Lease(FillHolder holder) {
            this.holder = holder;
        }

        @Override
        public void announceSize(long size) {
            FillHolder current = holder;
            holder = new FillHolder(current.digest(), current.memberId(), current.peerUrl(), size, current.since(),
                    current.origin());
        }

        @Override
        public boolean held() {
            return leases.get(holder.digest()) == this;
        }

        @Override
        public void release() {
            leases.remove(holder.digest(), this);
        }

        @Override
        public void release(FillOutcome outcome) {
            synchronized (LocalFillLeases.this) {
                if (leases.remove(holder.digest(), this)) {
                    // Forgotten here rather than by a timer: what was remembered never outgrows ten seconds of fills.
                    outcomes.values().removeIf(old -> !old.current());
                    outcomes.put(holder.digest(), new Remembered(outcome, holder.origin(),
                            System.nanoTime() + FillLeases.REMEMBERED.toNanos()));
                }
            }
        }
    }
}
