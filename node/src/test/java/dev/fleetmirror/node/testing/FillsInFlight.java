package dev.fleetmirror.node.testing;

import java.net.URI;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            Matcher m = GAUGE.matcher(new RegistryHttpClient(node).call("GET", "/metrics").send().text());
            if (m.find() && Double.parseDouble(m.group(1)) == 0) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("fills still in flight on " + node + " after 30 s");
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
