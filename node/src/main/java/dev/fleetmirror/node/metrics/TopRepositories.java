package dev.fleetmirror.node.metrics;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The repositories pulled most on this node, in bounded memory: at most {@code capacity} are
 * counted; when a new one arrives at a full table it takes the place of the least pulled one and
 * starts from that one's count (the Space-Saving scheme: the heavy hitters are kept, and a count is
 * high by at most the count it inherited). A pull of a counted repository touches no lock.
 */
public final class TopRepositories {
    /** A repository and its pulls (an overestimate by at most {@code error}). */
    public record Entry(String repository, long pulls, long error) {
    }

    private record Count(LongAdder pulls, long error) {
    }

    private final int capacity;
    private final Map<String, Count> counts = new ConcurrentHashMap<>();

    public TopRepositories(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive");
        }
        this.capacity = capacity;
    }

    public void pulled(String repository) {
        Count count = counts.get(repository);
        if (count == null) {
            count = admit(repository);
        }
        count.pulls().increment();
    }

    private synchronized Count admit(String repository) {
        Count count = counts.get(repository);
        if (count != null) {
            return count;
        }
        long inherited = 0;
        if (counts.size() >= capacity) {
            Map.Entry<String, Count> least = counts.entrySet().stream()
                    .min(Comparator.comparingLong(e -> e.getValue().pulls().sum())).orElseThrow();
            inherited = least.getValue().pulls().sum();
            counts.remove(least.getKey());
        }
        LongAdder pulls = new LongAdder();
        pulls.add(inherited);
        count = new Count(pulls, inherited);
        counts.put(repository, count);
        return count;
    }

    /** The {@code n} most pulled, most first. */
    public List<Entry> top(int n) {
        return counts.entrySet().stream()
                .map(e -> new Entry(e.getKey(), e.getValue().pulls().sum(), e.getValue().error()))
                .sorted(Comparator.comparingLong(Entry::pulls).reversed().thenComparing(Entry::repository))
                .limit(n)
                .toList();
    }
}
