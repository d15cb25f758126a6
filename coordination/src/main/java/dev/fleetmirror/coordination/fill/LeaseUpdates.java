package dev.fleetmirror.coordination.fill;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.ExtendedMapEntry;
import com.hazelcast.query.Predicate;
import java.io.Serial;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * The changes a lease owner makes to its entry, each run atomically on the member that owns the
 * entry's partition (and again on its backup) and each applied only while the entry still carries
 * the owner's token. A lease that lapsed and was claimed by another member in the meantime is
 * therefore never renewed, resized or removed by its former owner: no lock is held between calls,
 * the token is the whole ownership.
 */
final class LeaseUpdates {
    private LeaseUpdates() {
    }

    private static boolean heldBy(String value, String token) {
        return value != null && LeaseEntry.tokenOf(value).equals(token);
    }

    /** Held by the token and still a fill in flight: an outcome left behind is neither renewed nor resized. */
    private static boolean fillingHeldBy(String value, String token) {
        return heldBy(value, token) && LeaseEntry.decode(value).filling();
    }

    /** Replaces the entry's value by {@code change} of it with a fresh TTL, if {@code held}; answers {@code held}. */
    private static boolean rewrite(Map.Entry<String, String> entry, boolean held, UnaryOperator<String> change,
                                   long ttlMillis) {
        if (held) {
            ((ExtendedMapEntry<String, String>) entry).setValue(change.apply(entry.getValue()), ttlMillis,
                    TimeUnit.MILLISECONDS);
        }
        return held;
    }

    /** Sets the entry's TTL afresh; answers whether the token still held the entry. */
    record Renew(String token, long ttlMillis) implements EntryProcessor<String, String, Boolean> {
        @Serial
        private static final long serialVersionUID = 1L;

        @Override
        public Boolean process(Map.Entry<String, String> entry) {
            return rewrite(entry, fillingHeldBy(entry.getValue(), token), UnaryOperator.identity(), ttlMillis);
        }
    }

    /** Records the blob's size, renewing the TTL with it; answers whether the token still held the entry. */
    record AnnounceSize(String token, long size, long ttlMillis) implements EntryProcessor<String, String, Boolean> {
        @Serial
        private static final long serialVersionUID = 1L;

        @Override
        public Boolean process(Map.Entry<String, String> entry) {
            return rewrite(entry, fillingHeldBy(entry.getValue(), token),
                    value -> LeaseEntry.decode(value).withSize(size).encode(), ttlMillis);
        }
    }

    /** Replaces the entry by the fill's outcome, kept for {@code ttlMillis}, if the token still holds it. */
    record Settle(String token, FillOutcome outcome, long ttlMillis) implements EntryProcessor<String, String, Boolean> {
        @Serial
        private static final long serialVersionUID = 1L;

        @Override
        public Boolean process(Map.Entry<String, String> entry) {
            return rewrite(entry, heldBy(entry.getValue(), token),
                    value -> LeaseEntry.decode(value).settled(outcome).encode(), ttlMillis);
        }
    }

    /** Removes the entry if the token still holds it; answers whether it did. */
    record Release(String token) implements EntryProcessor<String, String, Boolean> {
        @Serial
        private static final long serialVersionUID = 1L;

        @Override
        public Boolean process(Map.Entry<String, String> entry) {
            String value = entry.getValue();
            if (!heldBy(value, token)) {
                return false;
            }
            entry.setValue(null);
            return true;
        }
    }

    /** Selects the leases one member holds (to drop them when it leaves the cluster). */
    record OwnedBy(String memberId) implements Predicate<String, String> {
        @Serial
        private static final long serialVersionUID = 1L;

        @Override
        public boolean apply(Map.Entry<String, String> entry) {
            String value = entry.getValue();
            return value != null && LeaseEntry.decode(value).owner().equals(memberId);
        }
    }
}
