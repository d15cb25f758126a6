package dev.fleetmirror.coordination.fill;

import dev.fleetmirror.core.digest.Digest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** The fill leases of a cluster of one: in memory; a lease never lapses, release frees it. */
public final class LocalFillLeases implements FillLeases {
    private final String memberId;
    private final String peerUrl;
    private final Map<Digest, FillHolder> leases = new ConcurrentHashMap<>();

    public LocalFillLeases(String memberId, String peerUrl) {
        this.memberId = memberId;
        this.peerUrl = peerUrl;
    }

    @Override
    public FillClaim claim(Digest digest) {
        FillHolder mine = new FillHolder(digest, memberId, peerUrl, -1, Instant.now());
        FillHolder current = leases.putIfAbsent(digest, mine);
        if (current != null) {
            return new FillClaim.Held(current);
        }
        return new FillClaim.Won(new FillLease() {
            private volatile boolean held = true;

            @Override
            public void announceSize(long size) {
                leases.computeIfPresent(digest, (d, h) -> h == mine || h.since().equals(mine.since()) && h.memberId()
                        .equals(memberId) ? new FillHolder(d, memberId, peerUrl, size, mine.since()) : h);
            }

            @Override
            public boolean held() {
                return held;
            }

            @Override
            public void release() {
                held = false;
                leases.computeIfPresent(digest, (d, h) -> h.since().equals(mine.since()) ? null : h);
            }
        });
    }

    @Override
    public Optional<FillHolder> holder(Digest digest) {
        return Optional.ofNullable(leases.get(digest));
    }

    @Override
    public List<FillHolder> inFlight() {
        return new ArrayList<>(leases.values());
    }

    @Override
    public void close() {
        leases.clear();
    }
}
