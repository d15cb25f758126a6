package dev.fleetmirror.node.config;

import dev.fleetmirror.coordination.limit.RateLimit;
import java.net.URI;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One registry this node mirrors.
 *
 * @param name      how logs, errors and {@code ?ns=} matching refer to it
 * @param url       the registry's base URL ({@code https://ghcr.io}); no path
 * @param username  credentials sent to the registry (Basic) or its token service; empty: anonymous
 * @param password  goes with {@code username}
 * @param prefix    the repository-name prefix it serves, ending with {@code /} ({@code ghcr/}); empty
 *                  for the catch-all upstream of {@code proxy.remoteurl}, which serves every name
 * @param tlsVerify false only when the operator opts out of certificate verification for this one
 * @param limit     what the whole cluster may ask of it ({@code ratelimit}); empty: no limit
 * @param privacy   who may read what is cached from it ({@code private}, {@code passThroughAuth})
 */
public record UpstreamConfig(String name, URI url, Optional<String> username, Optional<String> password, String prefix,
                             boolean tlsVerify, Optional<RateLimit> limit, Privacy privacy) {

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
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(limit, "limit");
        Objects.requireNonNull(privacy, "privacy");
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

    public UpstreamConfig withLimit(RateLimit limit) {
        return new UpstreamConfig(name, url, username, password, prefix, tlsVerify, Optional.of(limit), privacy);
    }

    public UpstreamConfig withPrivacy(Privacy privacy) {
        return new UpstreamConfig(name, url, username, password, prefix, tlsVerify, limit, privacy);
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

    /** True for Docker Hub, whose single-segment names ({@code redis}) live under {@code library/}. */
    public boolean isDockerHub() {
        return DOCKER_HUB_HOSTS.contains(url.getHost().toLowerCase(Locale.ROOT));
    }

    /** The registry host as containerd names it in {@code ?ns=}: {@code docker.io} for Docker Hub. */
    public String namespaceHost() {
        if (isDockerHub()) {
            return "docker.io";
        }
        return url.getPort() < 0 ? url.getHost().toLowerCase(Locale.ROOT) : url.getHost().toLowerCase(Locale.ROOT) + ":" + url.getPort();
    }

    public boolean catchAll() {
        return prefix.isEmpty();
    }

    @Override
    public String toString() {
        // Never print the password.
        return "UpstreamConfig[" + name + " " + url + (prefix.isEmpty() ? "" : " prefix " + prefix)
                + username.map(u -> " as " + u).orElse("") + (tlsVerify ? "" : " tls unverified")
                + limit.map(l -> " limited to " + l).orElse("") + (privacy.isPrivate() ? " private" : "")
                + (privacy.passThroughAuth() ? " pass-through auth" : "") + "]";
    }
}
