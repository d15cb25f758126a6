package dev.fleetmirror.node.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The pull-through cache: which upstream registries this node mirrors. With none, every
 * repository is hosted. Distribution's {@code proxy.remoteurl} becomes one catch-all upstream (every
 * repository is proxied, as in Distribution); the {@code upstreams:} list adds prefix-routed ones,
 * and names no upstream claims stay hosted.
 *
 * @param upstreams      in configuration order; at most one catch-all
 * @param tagTtl         {@code proxy.tagttl}: how long a tag's digest is trusted before it is re-checked upstream
 * @param ttl            {@code proxy.ttl}, Distribution's cache expiry as configured; see {@link #cacheTtl()}
 * @param spoolDirectory {@code proxy.spooldirectory}: local disk for blobs being fetched
 * @param allowAnonymousPrivateUpstream the top-level {@code allowAnonymousPrivateUpstream}: content of a
 *                       private upstream may be served to anonymous callers (and a node with such an
 *                       upstream may start without client authentication)
 * @param hosted         {@code proxy.hosted}: repository-name prefixes ending with {@code /} that stay hosted
 *                       beside a {@code default: true} upstream, which otherwise serves every unclaimed name
 */
public record ProxyConfig(List<UpstreamConfig> upstreams, Duration tagTtl, Optional<Duration> ttl, Path spoolDirectory,
                          boolean allowAnonymousPrivateUpstream, List<String> hosted) {

    public static final Duration DEFAULT_TAG_TTL = Duration.ofMinutes(1);
    /** Distribution's default {@code proxy.ttl}. */
    public static final Duration DEFAULT_TTL = Duration.ofHours(168);

    public ProxyConfig {
        upstreams = List.copyOf(upstreams);
        Objects.requireNonNull(tagTtl, "tagTtl");
        Objects.requireNonNull(ttl, "ttl");
        Objects.requireNonNull(spoolDirectory, "spoolDirectory");
        hosted = List.copyOf(hosted);
        if (upstreams.stream().filter(UpstreamConfig::catchAll).count() > 1) {
            throw new IllegalArgumentException("at most one upstream may serve every repository (no prefix)");
        }
        List<UpstreamConfig> defaults = upstreams.stream().filter(UpstreamConfig::isDefault).toList();
        if (defaults.size() > 1) {
            throw new IllegalArgumentException("at most one upstream may be the default, not " + defaults.stream()
                    .map(UpstreamConfig::name).toList());
        }
        if (!defaults.isEmpty() && defaults.get(0).catchAll()) {
            throw new IllegalArgumentException("the default upstream " + defaults.get(0).name() + " needs a prefix");
        }
        if (!defaults.isEmpty() && upstreams.stream().anyMatch(UpstreamConfig::catchAll)) {
            throw new IllegalArgumentException("a default upstream and a catch-all one (proxy.remoteurl, or an upstream"
                    + " without prefix) both claim every unclaimed name; keep one");
        }
        if (!hosted.isEmpty() && defaults.isEmpty()) {
            throw new IllegalArgumentException("hosted namespaces are only needed beside a default upstream");
        }
    }

    public ProxyConfig(List<UpstreamConfig> upstreams, Duration tagTtl, Optional<Duration> ttl, Path spoolDirectory,
                       boolean allowAnonymousPrivateUpstream) {
        this(upstreams, tagTtl, ttl, spoolDirectory, allowAnonymousPrivateUpstream, List.of());
    }

    public ProxyConfig(List<UpstreamConfig> upstreams, Duration tagTtl, Optional<Duration> ttl, Path spoolDirectory) {
        this(upstreams, tagTtl, ttl, spoolDirectory, false);
    }

    public ProxyConfig withAllowAnonymousPrivateUpstream(boolean allow) {
        return new ProxyConfig(upstreams, tagTtl, ttl, spoolDirectory, allow, hosted);
    }

    /** Names under these prefixes ({@code team/}) stay hosted beside a default upstream. */
    public ProxyConfig withHosted(List<String> hosted) {
        return new ProxyConfig(upstreams, tagTtl, ttl, spoolDirectory, allowAnonymousPrivateUpstream, hosted);
    }

    /** A node that mirrors nothing. */
    public static ProxyConfig none() {
        return new ProxyConfig(List.of(), DEFAULT_TAG_TTL, Optional.empty(), defaultSpoolDirectory());
    }

    public static Path defaultSpoolDirectory() {
        return Path.of(System.getProperty("java.io.tmpdir"), "fleetmirror-spool");
    }

    /**
     * How long a cached manifest nobody pulls stays linked before the GC's expiry unlinks it:
     * {@code proxy.ttl}, 168h when unset; zero disables expiry.
     */
    public Duration cacheTtl() {
        return ttl.orElse(DEFAULT_TTL);
    }

    public boolean enabled() {
        return !upstreams.isEmpty();
    }

    public ProxyConfig withUpstreams(List<UpstreamConfig> upstreams) {
        return new ProxyConfig(upstreams, tagTtl, ttl, spoolDirectory, allowAnonymousPrivateUpstream, hosted);
    }

    public ProxyConfig withTagTtl(Duration tagTtl) {
        return new ProxyConfig(upstreams, tagTtl, ttl, spoolDirectory, allowAnonymousPrivateUpstream, hosted);
    }

    public ProxyConfig withTtl(Duration ttl) {
        return new ProxyConfig(upstreams, tagTtl, Optional.of(ttl), spoolDirectory, allowAnonymousPrivateUpstream, hosted);
    }

    public ProxyConfig withSpoolDirectory(Path spoolDirectory) {
        return new ProxyConfig(upstreams, tagTtl, ttl, spoolDirectory, allowAnonymousPrivateUpstream, hosted);
    }
}
