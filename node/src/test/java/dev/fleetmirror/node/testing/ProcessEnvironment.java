package dev.fleetmirror.node.testing;

import java.util.Map;

/** Environment hygiene shared by the fixtures that start external processes. */
final class ProcessEnvironment {
    private ProcessEnvironment() {
    }

    /**
     * Both Fleet Mirror and Distribution read {@code REGISTRY_<PATH>} variables as config
     * overrides: one left in the developer's shell would silently change what a test runs against.
     * Proxies are dropped because every request a test makes is to loopback.
     */
    static void sanitize(Map<String, String> environment) {
        environment.keySet().removeIf(key -> key.startsWith("REGISTRY_")
                || key.equalsIgnoreCase("http_proxy") || key.equalsIgnoreCase("https_proxy")
                || key.equalsIgnoreCase("all_proxy"));
        environment.put("NO_PROXY", "127.0.0.1,localhost");
        environment.put("no_proxy", "127.0.0.1,localhost");
    }
}
