package dev.fleetmirror.node.config;

import dev.fleetmirror.coordination.ClusterSettings;
import dev.fleetmirror.coordination.HazelcastMemberConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads the {@code cluster:} section into {@link ClusterSettings}; without the section the node runs
 * standalone. The section is Fleet Mirror's own (Distribution has none), and its keys are matched
 * without regard to case, so {@code minimumSize} in a file and {@code REGISTRY_CLUSTER_MINIMUMSIZE}
 * in the environment name the same setting.
 */
final class ClusterConfigReader {
    private static final List<String> KEYS = List.of("name", "addr", "port", "members", "multicast", "kubernetes",
            "secret", "minimumSize", "leaseTtl", "advertise");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");
    /** {@code host}, {@code host:port}, {@code [v6]:port}; Hazelcast's own forms (ranges, wildcards) pass through. */
    private static final Pattern MEMBER = Pattern.compile("(\\[[0-9A-Fa-f:.]+]|[^\\s:\\[\\]]+)(:(\\d{1,5}))?");
    private static final Pattern DNS_NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*\\.?");

    private ClusterConfigReader() {
    }

    static Optional<ClusterSettings> read(ConfigTree tree) {
        if (!tree.has("cluster")) {
            return Optional.empty();
        }
        Map<String, String> keys = keysAsWritten(tree);
        ClusterSettings defaults = ClusterSettings.standalone();

        String name = text(tree, keys, "name").map(String::trim).orElse(defaults.name());
        if (!NAME.matcher(name).matches()) {
            throw new ConfigException(key(keys, "name"), "'" + name
                    + "' is not a cluster name: letters, digits, '.', '_', '-', at most 64, starting with a letter or digit");
        }
        String addr = text(tree, keys, "addr").map(ClusterConfigReader::unbracket).orElse(defaults.bindAddress());
        if (!IPV4.matcher(addr).matches() && !IPV6.matcher(addr).matches()) {
            throw new ConfigException(key(keys, "addr"), "'" + addr + "' is not an IP address of this machine"
                    + " (e.g. 10.0.0.5, or " + HazelcastMemberConfig.ANY_ADDRESS + " to let the member choose)");
        }
        int port = text(tree, keys, "port").map(v -> port(key(keys, "port"), v)).orElse(defaults.port());
        List<String> members = keys.containsKey("members") ? tree.strings(key(keys, "members")) : List.of();
        for (String member : members) {
            checkMember(key(keys, "members"), member);
        }
        boolean multicast = keys.containsKey("multicast") && tree.bool(key(keys, "multicast"), false);
        Optional<String> kubernetes = text(tree, keys, "kubernetes").map(String::trim).filter(s -> !s.isEmpty());
        if (kubernetes.isPresent() && !DNS_NAME.matcher(kubernetes.get()).matches()) {
            throw new ConfigException(key(keys, "kubernetes"), "'" + kubernetes.get()
                    + "' is not a DNS name (the headless service, e.g. fleetmirror-hz.registry.svc.cluster.local)");
        }
        int joinMethods = (members.isEmpty() ? 0 : 1) + (multicast ? 1 : 0) + (kubernetes.isPresent() ? 1 : 0);
        if (joinMethods > 1) {
            throw new ConfigException("cluster", "choose one way to find the other members: members, multicast or kubernetes");
        }
        Optional<String> secret = text(tree, keys, "secret").filter(s -> !s.isEmpty());
        int minimumSize = text(tree, keys, "minimumSize").map(v -> minimumSize(key(keys, "minimumSize"), v))
                .orElse(defaults.minimumSize());
        Duration leaseTtl = text(tree, keys, "leaseTtl").map(v -> leaseTtl(key(keys, "leaseTtl"), v))
                .orElse(ClusterSettings.DEFAULT_LEASE_TTL);
        String advertise = text(tree, keys, "advertise").map(String::trim).filter(s -> !s.isEmpty())
                .map(v -> peerUrl(key(keys, "advertise"), v)).orElse("");
        return Optional.of(new ClusterSettings(name, addr, port, members, multicast, kubernetes, secret, minimumSize,
                leaseTtl, advertise));
    }

    /** Each key of the section by its canonical name, as the file (or environment) spells it; unknown keys are errors. */
    private static Map<String, String> keysAsWritten(ConfigTree tree) {
        Map<String, String> written = new LinkedHashMap<>();
        for (String field : tree.fieldNames("cluster")) {
            String canonical = KEYS.stream().filter(k -> k.equalsIgnoreCase(field)).findFirst()
                    .orElseThrow(() -> new ConfigException("cluster." + field, "is not a cluster setting; use one of " + KEYS));
            String earlier = written.put(canonical, "cluster." + field);
            if (earlier != null) {
                throw new ConfigException("cluster." + field, "is set twice (also as " + earlier + ")");
            }
        }
        return written;
    }

    private static String key(Map<String, String> keys, String canonical) {
        return keys.getOrDefault(canonical, "cluster." + canonical);
    }

    private static Optional<String> text(ConfigTree tree, Map<String, String> keys, String canonical) {
        return keys.containsKey(canonical) ? tree.text(keys.get(canonical)) : Optional.empty();
    }

    private static String unbracket(String value) {
        String v = value.trim();
        return v.startsWith("[") && v.endsWith("]") ? v.substring(1, v.length() - 1) : v;
    }

    private static int port(String key, String value) {
        int port = integer(key, value);
        if (port < 1 || port > 65535) {
            throw new ConfigException(key, port + " is outside 1..65535");
        }
        return port;
    }

    private static int minimumSize(String key, String value) {
        int size = integer(key, value);
        if (size < 1) {
            throw new ConfigException(key, "must be at least 1, is " + size);
        }
        return size;
    }

    private static int integer(String key, String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(key, "'" + value + "' is not a whole number");
        }
    }

    private static Duration leaseTtl(String key, String value) {
        Duration ttl = ProxyConfigReader.duration(key, value);
        if (ttl.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new ConfigException(key, "'" + value + "' is shorter than the minimum of 1s");
        }
        return ttl;
    }

    private static void checkMember(String key, String member) {
        var matcher = MEMBER.matcher(member);
        if (!matcher.matches()) {
            throw new ConfigException(key, "'" + member + "' is not host or host:port (e.g. 10.0.0.5:5701)");
        }
        if (matcher.group(3) != null) {
            int port = Integer.parseInt(matcher.group(3));
            if (port < 1 || port > 65535) {
                throw new ConfigException(key, "port " + port + " of '" + member + "' is outside 1..65535");
            }
        }
    }

    private static String peerUrl(String key, String value) {
        URI url;
        try {
            url = new URI(value);
        } catch (URISyntaxException e) {
            throw new ConfigException(key, "'" + value + "' is not a URL: " + e.getMessage());
        }
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || url.getHost() == null
                || url.getRawQuery() != null || url.getRawFragment() != null) {
            throw new ConfigException(key, "'" + value
                    + "' must be the http(s) base URL other members reach this node at, e.g. http://10.0.0.5:5000");
        }
        return value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
    }
}
