package dev.fleetmirror.node.config;

import dev.fleetmirror.coordination.limit.RequestRate;
import dev.fleetmirror.coordination.limit.RateLimit;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads an upstream's {@code ratelimit} section (under {@code proxy:} or an {@code upstreams:} entry):
 * {@code requestspersecond}, {@code burst}, {@code concurrentfills}, {@code maxwait}. Unknown keys
 * are errors here, not warnings: a misspelt limit would silently be no limit at all.
 */
final class RateLimitReader {
    static final Set<String> FIELDS = Set.of("requestspersecond", "burst", "concurrentfills", "maxwait");
    /**
     * Requests wait on the node's workers and inside clients' own timeouts; this node gives up on an
     * upstream answer after 120 s, so a wait must stay well below that.
     */
    static final Duration MAX_MAX_WAIT = Duration.ofSeconds(60);
    private static final Pattern DECIMAL = Pattern.compile("[0-9]+(\\.[0-9]+)?|\\.[0-9]+");

    private RateLimitReader() {
    }

    /** The limit at {@code key} (e.g. {@code upstreams.0.ratelimit}), or empty when the section is absent. */
    static Optional<RateLimit> read(ConfigTree tree, String key) {
        if (!tree.has(key)) {
            return Optional.empty();
        }
        for (String field : tree.fieldNames(key)) {
            if (!FIELDS.contains(field)) {
                throw new ConfigException(key + "." + field, "is not a rate-limit setting; use one of " + FIELDS);
            }
        }
        Optional<Double> perSecond = tree.text(key + ".requestspersecond").map(v -> requestsPerSecond(key + ".requestspersecond", v));
        Optional<Integer> burst = tree.text(key + ".burst").map(v -> atLeastOne(key + ".burst", v));
        OptionalInt fills = tree.text(key + ".concurrentfills").map(v -> OptionalInt.of(atLeastOne(key + ".concurrentfills", v)))
                .orElse(OptionalInt.empty());
        Duration maxWait = tree.text(key + ".maxwait").map(v -> maxWait(key + ".maxwait", v)).orElse(RateLimit.DEFAULT_MAX_WAIT);
        if (burst.isPresent() && perSecond.isEmpty()) {
            throw new ConfigException(key + ".burst", "is set without " + key + ".requestspersecond");
        }
        if (perSecond.isEmpty() && fills.isEmpty()) {
            throw new ConfigException(key, "limits nothing; set requestspersecond, concurrentfills or both");
        }
        Optional<RequestRate> rate = perSecond.map(r -> burst.map(b -> new RequestRate(r, b)).orElseGet(() -> RequestRate.of(r)));
        return Optional.of(new RateLimit(rate, fills, maxWait));
    }

    private static double requestsPerSecond(String key, String value) {
        String v = value.trim();
        double rate = DECIMAL.matcher(v).matches() ? Double.parseDouble(v) : -1;
        if (!(rate > 0)) {
            throw new ConfigException(key, "'" + value + "' is not a number of requests per second above 0, such as 10"
                    + " or 0.0046 (100 per 6 hours)");
        }
        return rate;
    }

    private static int atLeastOne(String key, String value) {
        String v = value.trim();
        try {
            int n = Integer.parseInt(v);
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ConfigException(key, "'" + value + "' is not a whole number of at least 1");
    }

    private static Duration maxWait(String key, String value) {
        Duration wait = ProxyConfigReader.duration(key, value);
        if (wait.compareTo(MAX_MAX_WAIT) > 0) {
            throw new ConfigException(key, "'" + value + "' is longer than " + MAX_MAX_WAIT.toSeconds()
                    + "s; clients and this node give up on a request that waits so long");
        }
        return wait;
    }
}
