package dev.fleetmirror.node.testing;

import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A node's blob fills in flight ({@code fleetmirror_fills_in_flight}), the signal tests wait on: a
 * fill stores its blob after the client that started it has all the bytes, so a test that pulls
 * again and counts cache hits waits for none in flight; a member following another's fill has one
 * of its own in flight while it does.
 */
public final class FillsInFlight {
    private static final Pattern GAUGE = Pattern.compile("^fleetmirror_fills_in_flight (\\S+)$", Pattern.MULTILINE);

    private FillsInFlight() {
    }

    public static void awaitNone(URI node) {
        await("no fills in flight on " + node).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> count(node) == 0);
    }

    /** The gauge now; -1 if the node does not report it. */
    public static int count(URI node) {
        Matcher m = GAUGE.matcher(new RegistryHttpClient(node).call("GET", "/metrics").send().text());
        return m.find() ? (int) Double.parseDouble(m.group(1)) : -1;
    }
}
