package dev.fleetmirror.node.config;

import dev.fleetmirror.coordination.limit.RateLimit;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One registry this node mirrors.
 *
 * @param name      how logs, errors and {@code ?ns=} matching refer to it
 * @param urls      the registry's base URLs ({@code https://ghcr.io}; no path), tried in order: an
 *                  accelerator first, the origin last; a URL that fails is skipped for a back-off
 *                  period ({@code urls:}, or {@code url:} for one)
 * @param username  credentials sent to the registry (Basic) or its token service; empty: anonymous
 * @param password  goes with {@code username}
 * @param prefix    the repository-name prefix it serves, ending with {@code /} ({@code ghcr/}); empty
 *                  for the catch-all upstream of {@code proxy.remoteurl}, which serves every name
 * @param tlsVerify false only when the operator opts out of certificate verification for this one
 * @param limit     what the whole cluster may ask of it ({@code ratelimit}); empty: no limit
 * @param privacy   who may read what is cached from it ({@code private}, {@code passThroughAuth})
 * @param isDefault {@code default: true}: also serves the bare names that no prefix or hosted namespace
 *                  claims (dockerd's {@code registry-mirrors} sends {@code library/redis}), as if they
 *                  carried its prefix
 * @param backoff   how long a failed URL is skipped
 */
public record UpstreamConfig(String name, List<URI> urls, Optional<String> username, Optional<String> password,
                             String prefix, boolean tlsVerify, Optional<RateLimit> limit, Privacy privacy,
                             boolean isDefault, Backoff backoff) {

    /**
     * How long a URL that failed (no connection, 5xx, 429, content that does not match its digest) is
     * skipped while the upstream has other URLs: {@code initial} after one failure, doubling with each
     * failure in a row, at most {@code max}.
     */
    public record Backoff(Duration initial, Duration max) {
        public static final Backoff DEFAULT = new Backoff(Duration.ofSeconds(5), Duration.ofMinutes(5));

        public Backoff {
            Objects.requireNonNull(initial, "initial");
            Objects.requireNonNull(max, "max");
            if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
                throw new IllegalArgumentException("a back-off needs 0 < initial <= max, not " + initial + " and " + max);
            }
        }

        /** The pause after {@code failures} failures in a row (at least one). */
        public Duration after(int failures) {
            Duration pause = initial;
            for (int i = 1; i < failures && pause.compareTo(max) < 0; i++) {
                pause = pause.multipliedBy(2);
            }
            return pause.compareTo(max) > 0 ? max : pause;
        }
    }

    /**
     * @param isPrivate       content fetched with this upstream's credentials is served only to callers an
     *                        access rule lets read its namespace, never to anonymous ones (unless
     *                        {@code allowAnonymousPrivateUpstream}); true by default for an upstream with
     *                        credentials
     * @param passThroughAuth the caller's own credentials are checked against the upstream (a HEAD of the
     *                        repository) before cached private content is served to it
     */
    public record Privacy(boolean isPrivate, boolean passThroughAuth) {
        public static final Privacy PUBLIC = new Privacy(false, false);

        /** What an upstream gets without {@code private:}: private exactly when it has credentials. */
        public static Privacy defaultFor(Optional<String> username) {
            return new Privacy(username.isPresent(), false);
        }
    }

    private static final Set<String> DOCKER_HUB_HOSTS = Set.of("docker.io", "registry-1.docker.io", "index.docker.io",
            "registry.hub.docker.com");

    public UpstreamConfig {
        Objects.requireNonNull(name, "name");
        urls = List.copyOf(urls);
        if (urls.isEmpty()) {
            throw new IllegalArgumentException("upstream " + name + " needs at least one URL");
        }
        Objects.requireNonNull(backoff, "backoff");
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(limit, "limit");
        Objects.requireNonNull(privacy, "privacy");
    }

    public UpstreamConfig(String name, URI url, Optional<String> username, Optional<String> password, String prefix,
                          boolean tlsVerify, Optional<RateLimit> limit, Privacy privacy) {
        this(name, List.of(url), username, password, prefix, tlsVerify, limit, privacy, false, Backoff.DEFAULT);
    }

    public UpstreamConfig(String name, URI url, Optional<String> username, Optional<String> password, String prefix,
                          boolean tlsVerify, Optional<RateLimit> limit) {
        this(name, url, username, password, prefix, tlsVerify, limit, Privacy.defaultFor(username));
    }

    /** An upstream without a rate limit. */
    public UpstreamConfig(String name, URI url, Optional<String> username, Optional<String> password, String prefix,
                          boolean tlsVerify) {
        this(name, url, username, password, prefix, tlsVerify, Optional.empty());
    }

    /** The first URL: the one asked while it works. */
    public URI url() {
        return urls.get(0);
    }

    public UpstreamConfig withLimit(RateLimit limit) {
        return new UpstreamConfig(name, urls, username, password, prefix, tlsVerify, Optional.of(limit), privacy,
                isDefault, backoff);
    }

    public UpstreamConfig withPrivacy(Privacy privacy) {
        return new UpstreamConfig(name, urls, username, password, prefix, tlsVerify, limit, privacy, isDefault, backoff);
    }

    /** The same upstream reached at {@code urls}, tried in this order. */
    public UpstreamConfig withUrls(List<URI> urls) {
        return new UpstreamConfig(name, urls, username, password, prefix, tlsVerify, limit, privacy, isDefault, backoff);
    }

    public UpstreamConfig withDefault(boolean isDefault) {
        return new UpstreamConfig(name, urls, username, password, prefix, tlsVerify, limit, privacy, isDefault, backoff);
    }

    public UpstreamConfig withBackoff(Backoff backoff) {
        return new UpstreamConfig(name, urls, username, password, prefix, tlsVerify, limit, privacy, isDefault, backoff);
    }

    /**
     * The upstream of a node started without a configuration file: Docker Hub, anonymous, for names
     * under {@code docker.io/} (and containerd's {@code ?ns=docker.io}), so pulls of
     * {@code docker.io/library/redis} are cached while every other name stays hosted and pushable.
     */
    public static UpstreamConfig dockerHubMirror() {
        return new UpstreamConfig("docker.io", URI.create("https://registry-1.docker.io"), Optional.empty(),
                Optional.empty(), "docker.io/", true);
    }

    /**
     * True for Docker Hub, whose single-segment names ({@code redis}) live under {@code library/}: one
     * of the URLs is Docker Hub's (an accelerator in front of it follows its naming).
     */
    public boolean isDockerHub() {
        return urls.stream().anyMatch(u -> DOCKER_HUB_HOSTS.contains(u.getHost().toLowerCase(Locale.ROOT)));
    }

    /** The registry host as containerd names it in {@code ?ns=}: {@code docker.io} for Docker Hub, else the origin's (last URL). */
    public String namespaceHost() {
        return isDockerHub() ? "docker.io" : hostOf(urls.get(urls.size() - 1));
    }

    /** Whether {@code ?ns=<host>} names this upstream: Docker Hub, or the host of any of its URLs. */
    public boolean servesNamespace(String host) {
        return namespaceHost().equals(host) || urls.stream().anyMatch(u -> hostOf(u).equals(host));
    }

    private static String hostOf(URI url) {
        String host = url.getHost().toLowerCase(Locale.ROOT);
        return url.getPort() < 0 ? host : host + ":" + url.getPort();
    }

    public boolean catchAll() {
        return prefix.isEmpty();
    }

    /** Whether this upstream mirrors the local repository {@code name}: any name, or one below its prefix. */
    public boolean mirrors(String name) {
        return catchAll() || name.startsWith(prefix) && name.length() > prefix.length();
    }

    @Override
    public String toString() {
        // Never print the password.
        return "UpstreamConfig[" + name + " " + (urls.size() == 1 ? url().toString() : urls.toString())
                + (isDefault ? " default" : "") + (prefix.isEmpty() ? "" : " prefix " + prefix)
                + username.map(u -> " as " + u).orElse("") + (tlsVerify ? "" : " tls unverified")
                + limit.map(l -> " limited to " + l).orElse("") + (privacy.isPrivate() ? " private" : "")
                + (privacy.passThroughAuth() ? " pass-through auth" : "") + "]";
    }
}
