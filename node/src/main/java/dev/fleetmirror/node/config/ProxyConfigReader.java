package dev.fleetmirror.node.config;

import dev.fleetmirror.core.name.RepositoryName;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the {@code proxy:} section (Distribution's keys plus {@code tagttl}, {@code spooldirectory}
 * and {@code ratelimit}) and the {@code upstreams:} list into a {@link ProxyConfig}.
 */
final class ProxyConfigReader {
    private static final Set<String> UPSTREAM_FIELDS = Set.of("name", "url", "username", "password", "prefix", "tlsverify",
            "ratelimit", "private", "passthroughauth");
    private static final Pattern DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");

    private ProxyConfigReader() {
    }

    static ProxyConfig read(ConfigTree tree) {
        List<UpstreamConfig> upstreams = new ArrayList<>();
        Optional<String> remoteUrl = tree.text("proxy.remoteurl").map(String::trim).filter(s -> !s.isEmpty());
        Optional<String> username = tree.text("proxy.username").filter(s -> !s.isEmpty());
        Optional<String> password = tree.text("proxy.password");
        if (remoteUrl.isPresent()) {
            URI url = url("proxy.remoteurl", remoteUrl.get());
            upstreams.add(new UpstreamConfig(url.getHost(), url, username, username.isPresent() ? password : Optional.empty(),
                    "", true, RateLimitReader.read(tree, "proxy.ratelimit"), privacy(tree, "proxy", username)));
        } else if (username.isPresent()) {
            throw new ConfigException("proxy.username", "is set but proxy.remoteurl is not");
        } else if (tree.has("proxy.ratelimit")) {
            throw new ConfigException("proxy.ratelimit", "is set but proxy.remoteurl is not; an entry of upstreams: has its own");
        }
        int count = tree.listSize("upstreams");
        for (int i = 0; i < count; i++) {
            upstreams.add(upstream(tree, "upstreams." + i));
        }
        checkUnique(upstreams);
        Duration tagTtl = tree.text("proxy.tagttl").map(v -> duration("proxy.tagttl", v)).orElse(ProxyConfig.DEFAULT_TAG_TTL);
        Optional<Duration> ttl = tree.text("proxy.ttl").map(v -> duration("proxy.ttl", v));
        Path spool = tree.text("proxy.spooldirectory").filter(s -> !s.isBlank()).map(Path::of)
                .orElseGet(ProxyConfig::defaultSpoolDirectory);
        return new ProxyConfig(upstreams, tagTtl, ttl, spool, flag(tree, "", "allowAnonymousPrivateUpstream", false));
    }

    /** A boolean spelled in camel case as documented, or in lower case (as environment overrides arrive). */
    private static boolean flag(ConfigTree tree, String parent, String camelCase, boolean fallback) {
        String lower = camelCase.toLowerCase(java.util.Locale.ROOT);
        return tree.has(parent + camelCase) ? tree.bool(parent + camelCase, fallback) : tree.bool(parent + lower, fallback);
    }

    /** {@code <key>.private} (default: whether there are credentials) and {@code <key>.passThroughAuth}. */
    private static UpstreamConfig.Privacy privacy(ConfigTree tree, String key, Optional<String> username) {
        boolean isPrivate = tree.bool(key + ".private", username.isPresent());
        boolean passThrough = flag(tree, key + ".", "passThroughAuth", false);
        if (passThrough && !isPrivate) {
            throw new ConfigException(key + ".passThroughAuth", "checks callers' credentials for private content;"
                    + " it needs private: true (or credentials on the upstream)");
        }
        return new UpstreamConfig.Privacy(isPrivate, passThrough);
    }

    private static UpstreamConfig upstream(ConfigTree tree, String key) {
        for (String field : tree.fieldNames(key)) {
            if (!UPSTREAM_FIELDS.contains(field.toLowerCase(java.util.Locale.ROOT))) {
                throw new ConfigException(key + "." + field, "is not an upstream setting; use one of " + UPSTREAM_FIELDS);
            }
        }
        URI url = url(key + ".url", tree.text(key + ".url").orElseThrow(
                () -> new ConfigException(key + ".url", "is required (e.g. https://ghcr.io)")));
        String name = tree.text(key + ".name").map(String::trim).filter(s -> !s.isEmpty()).orElse(url.getHost());
        String prefix = tree.text(key + ".prefix").map(String::trim).orElse("");
        if (!prefix.isEmpty()) {
            String trimmed = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
            if (!RepositoryName.isValid(trimmed)) {
                throw new ConfigException(key + ".prefix", "'" + prefix + "' is not a repository-name prefix such as ghcr/");
            }
            prefix = trimmed + "/";
        }
        Optional<String> username = tree.text(key + ".username").filter(s -> !s.isEmpty());
        Optional<String> password = tree.text(key + ".password");
        if (password.isPresent() && username.isEmpty()) {
            throw new ConfigException(key + ".password", "is set without a username");
        }
        return new UpstreamConfig(name, url, username, password, prefix, tree.bool(key + ".tlsverify", true),
                RateLimitReader.read(tree, key + ".ratelimit"), privacy(tree, key, username));
    }

    private static void checkUnique(List<UpstreamConfig> upstreams) {
        Set<String> names = new HashSet<>();
        Set<String> prefixes = new HashSet<>();
        for (int i = 0; i < upstreams.size(); i++) {
            UpstreamConfig upstream = upstreams.get(i);
            if (!names.add(upstream.name())) {
                throw new ConfigException("upstreams", "two upstreams are named '" + upstream.name() + "'; give each a unique name");
            }
            if (!prefixes.add(upstream.prefix())) {
                throw new ConfigException("upstreams", upstream.prefix().isEmpty()
                        ? "only one upstream may serve every repository (proxy.remoteurl, or an upstream without prefix)"
                        : "two upstreams use the prefix '" + upstream.prefix() + "'");
            }
        }
    }

    private static URI url(String key, String value) {
        URI url;
        try {
            url = new URI(value.trim());
        } catch (URISyntaxException e) {
            throw new ConfigException(key, "'" + value + "' is not a URL: " + e.getMessage());
        }
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("https") || scheme.equals("http")) || url.getHost() == null) {
            throw new ConfigException(key, "'" + value + "' must be an http(s) URL with a host, e.g. https://registry-1.docker.io");
        }
        if (url.getRawPath() != null && !url.getRawPath().isEmpty() && !url.getRawPath().equals("/")) {
            throw new ConfigException(key, "'" + value + "' must not have a path; the /v2/ API is found at the root");
        }
        return URI.create(scheme + "://" + url.getRawAuthority());
    }

    /** Go's duration syntax, as Distribution reads it: {@code 90s}, {@code 1m}, {@code 168h}, {@code 1h30m}. */
    static Duration duration(String key, String value) {
        String v = value.trim();
        if (v.equals("0")) {
            return Duration.ZERO;
        }
        Matcher m = DURATION_PART.matcher(v);
        long nanos = 0;
        int end = 0;
        while (m.find() && m.start() == end) {
            double amount = Double.parseDouble(m.group(1));
            long unit = switch (m.group(2)) {
                case "ns" -> 1L;
                case "us", "µs" -> 1_000L;
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                default -> 3_600_000_000_000L;
            };
            nanos += (long) (amount * unit);
            end = m.end();
        }
        if (end != v.length() || v.isEmpty()) {
            throw new ConfigException(key, "'" + value + "' is not a duration such as 30s, 1m or 168h");
        }
        return Duration.ofNanos(nanos);
    }
}
