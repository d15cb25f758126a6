package dev.fleetmirror.node.testing;

import java.net.URI;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import static org.awaitility.Awaitility.await;

/**
 * Waits until a node has no blob fill in flight ({@code fleetmirror_fills_in_flight} is 0): a fill
 * stores its blob after the client that started it has all the bytes, so a test that pulls again
 * and counts cache hits waits for the first pull's fills to be stored.
 */
public final class FillsInFlight {
    private static final Pattern GAUGE = Pattern.compile("^fleetmirror_fills_in_flight (\\S+)$", Pattern.MULTILINE);

    private FillsInFlight() {
    }

    public static void awaitNone(URI node) {
        await("no fills in flight on " + node).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() -> {
            Matcher m = GAUGE.matcher(new RegistryHttpClient(node).call("GET", "/metrics").send().text());
            return m.find() && Double.parseDouble(m.group(1)) == 0;
        });
    }
}
