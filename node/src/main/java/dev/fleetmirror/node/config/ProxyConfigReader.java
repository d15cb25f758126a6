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
    private static final Set<String> UPSTREAM_FIELDS = Set.of("name", "url", "urls", "username", "password", "prefix",
            "tlsverify", "ratelimit", "private", "passthroughauth", "default", "backoff");
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
        List<String> hosted = hosted(tree, upstreams);
        Duration tagTtl = tree.text("proxy.tagttl").map(v -> duration("proxy.tagttl", v)).orElse(ProxyConfig.DEFAULT_TAG_TTL);
        Optional<Duration> ttl = tree.text("proxy.ttl").map(v -> duration("proxy.ttl", v));
        return new ProxyConfig(upstreams, tagTtl, ttl, spoolDirectory(tree), flag(tree, "", "allowAnonymousPrivateUpstream", false),
                hosted);
    }

    /** {@code proxy.spooldirectory}, or the default; also where the local tier's default directory goes. */
    static Path spoolDirectory(ConfigTree tree) {
        return tree.text("proxy.spooldirectory").filter(s -> !s.isBlank()).map(Path::of)
                .orElseGet(ProxyConfig::defaultSpoolDirectory);
    }

    /**
     * {@code proxy.hosted}: the namespaces that stay hosted beside the default upstream. Checked here, with
     * the keys named, rather than by {@link ProxyConfig}'s own guard.
     */
    private static List<String> hosted(ConfigTree tree, List<UpstreamConfig> upstreams) {
        List<UpstreamConfig> defaults = upstreams.stream().filter(UpstreamConfig::isDefault).toList();
        if (defaults.size() > 1) {
            throw new ConfigException("upstreams", "at most one upstream may be default: true, not "
                    + defaults.stream().map(UpstreamConfig::name).toList());
        }
        if (!defaults.isEmpty() && upstreams.stream().anyMatch(UpstreamConfig::catchAll)) {
            throw new ConfigException("upstreams", "upstream " + defaults.get(0).name() + " is default: true, but "
                    + (tree.has("proxy.remoteurl") ? "proxy.remoteurl" : "an upstream without prefix")
                    + " already serves every name; keep one of them");
        }
        List<String> hosted = new ArrayList<>();
        for (String raw : tree.strings("proxy.hosted")) {
            String trimmed = raw.endsWith("/") ? raw.substring(0, raw.length() - 1) : raw;
            if (!RepositoryName.isValid(trimmed)) {
                throw new ConfigException("proxy.hosted", "'" + raw + "' is not a repository-name prefix such as team/");
            }
            String namespace = trimmed + "/";
            for (UpstreamConfig upstream : upstreams) {
                if (!upstream.catchAll() && (namespace.startsWith(upstream.prefix()) || upstream.prefix().startsWith(namespace))) {
                    throw new ConfigException("proxy.hosted", "'" + raw + "' overlaps the prefix " + upstream.prefix()
                            + " of upstream " + upstream.name());
                }
            }
            hosted.add(namespace);
        }
        if (!hosted.isEmpty() && defaults.isEmpty()) {
            throw new ConfigException("proxy.hosted", "is set but no upstream is default: true; without one every name"
                    + " no prefix claims is hosted already");
        }
        return hosted;
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
        List<URI> urls = urls(tree, key);
        URI url = urls.get(0);
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
        boolean isDefault = tree.bool(key + ".default", false);
        if (isDefault && prefix.isEmpty()) {
            throw new ConfigException(key + ".default", "needs a prefix: bare names are served as if they carried it"
                    + " (library/redis as docker.io/library/redis); an upstream without prefix serves every name already");
        }
        return new UpstreamConfig(name, urls, username, password, prefix, tree.bool(key + ".tlsverify", true),
                RateLimitReader.read(tree, key + ".ratelimit"), privacy(tree, key, username), isDefault, backoff(tree, key));
    }

    /** {@code url:} (one) or {@code urls:} (tried in order), never both. */
    private static List<URI> urls(ConfigTree tree, String key) {
        boolean one = tree.has(key + ".url");
        boolean many = tree.has(key + ".urls");
        if (one && many) {
            throw new ConfigException(key + ".urls", "and " + key + ".url are both set; list every URL under urls:");
        }
        if (!one && !many) {
            throw new ConfigException(key + ".url", "is required (e.g. https://ghcr.io), or urls: [accelerator, origin]");
        }
        if (one) {
            return List.of(url(key + ".url", tree.text(key + ".url").orElseThrow()));
        }
        List<String> raw = tree.strings(key + ".urls");
        if (raw.isEmpty()) {
            throw new ConfigException(key + ".urls", "is empty; list at least one URL");
        }
        List<URI> urls = new ArrayList<>();
        for (int i = 0; i < raw.size(); i++) {
            URI url = url(key + ".urls." + i, raw.get(i));
            if (urls.contains(url)) {
                throw new ConfigException(key + ".urls." + i, "'" + url + "' is listed twice");
            }
            urls.add(url);
        }
        return urls;
    }

    /** {@code backoff: {initial: 5s, max: 5m}}: how long a failed URL is skipped. */
    private static UpstreamConfig.Backoff backoff(ConfigTree tree, String key) {
        UpstreamConfig.Backoff fallback = UpstreamConfig.Backoff.DEFAULT;
        if (!tree.has(key + ".backoff")) {
            return fallback;
        }
        for (String field : tree.fieldNames(key + ".backoff")) {
            if (!Set.of("initial", "max").contains(field.toLowerCase(Locale.ROOT))) {
                throw new ConfigException(key + ".backoff." + field, "is not a back-off setting; use initial or max");
            }
        }
        Duration initial = tree.text(key + ".backoff.initial").map(v -> duration(key + ".backoff.initial", v))
                .orElse(fallback.initial());
        Duration max = tree.text(key + ".backoff.max").map(v -> duration(key + ".backoff.max", v))
                .orElse(fallback.max().compareTo(initial) < 0 ? initial : fallback.max());
        if (initial.isZero() || max.compareTo(initial) < 0) {
            throw new ConfigException(key + ".backoff", "needs 0 < initial <= max, not " + initial + " and " + max);
        }
        return new UpstreamConfig.Backoff(initial, max);
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

    /**
     * An upstream's base URL. Credentials in it ({@code https://user:password@host}) are refused,
     * and never repeated in the error: a URL is printed in logs and messages, a password must not be.
     */
    private static URI url(String key, String raw) {
        String value = withoutUserInfo(raw);
        URI url;
        try {
            url = new URI(raw.trim());
        } catch (URISyntaxException e) {
            throw new ConfigException(key, "'" + value + "' is not a URL");
        }
        if (url.getRawUserInfo() != null) {
            throw new ConfigException(key, "'" + value + "' must not carry credentials; set username and password instead");
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

    /** {@code value} with anything between {@code //} and {@code @} (user information) replaced by {@code ***}. */
    static String withoutUserInfo(String value) {
        return value.replaceAll("(?<=//)[^/?#]*@", "***@");
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
