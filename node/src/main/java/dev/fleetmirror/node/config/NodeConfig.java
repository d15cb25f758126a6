package dev.fleetmirror.node.config;

import dev.fleetmirror.coordination.ClusterSettings;
import java.util.Objects;
import java.util.Optional;

/**
 * The node's whole configuration, built once at start-up from Distribution-compatible YAML plus
 * {@code REGISTRY_*} environment overrides (see {@link ConfigLoader}). Nothing reads YAML or the
 * environment after this record exists.
 *
 * @param version the configuration format version (Distribution's {@code version}, always 0.1)
 * @param cluster the {@code cluster:} section; empty: the node is a cluster of its own (no Hazelcast)
 * @param gc      the {@code gc:} section
 * @param auth    the {@code auth:} and {@code access:} sections
 */
public record NodeConfig(String version, LogConfig log, HttpConfig http, StorageConfig storage, ProxyConfig proxy,
                         Optional<ClusterSettings> cluster, GcConfig gc, AuthConfig auth) {

    public static final String VERSION = "0.1";

    public NodeConfig {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(log, "log");
        Objects.requireNonNull(http, "http");
        Objects.requireNonNull(storage, "storage");
        Objects.requireNonNull(proxy, "proxy");
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(gc, "gc");
        Objects.requireNonNull(auth, "auth");
    }

    /** Without {@code auth:}: everything open. */
    public NodeConfig(String version, LogConfig log, HttpConfig http, StorageConfig storage, ProxyConfig proxy,
                      Optional<ClusterSettings> cluster, GcConfig gc) {
        this(version, log, http, storage, proxy, cluster, gc, AuthConfig.none());
    }

    /** Without a {@code gc:} section: collection only on request. */
    public NodeConfig(String version, LogConfig log, HttpConfig http, StorageConfig storage, ProxyConfig proxy,
                      Optional<ClusterSettings> cluster) {
        this(version, log, http, storage, proxy, cluster, GcConfig.defaults());
    }

    /** A standalone node. */
    public NodeConfig(String version, LogConfig log, HttpConfig http, StorageConfig storage, ProxyConfig proxy) {
        this(version, log, http, storage, proxy, Optional.empty());
    }

    /** A standalone node that mirrors nothing: every repository is hosted. */
    public NodeConfig(String version, LogConfig log, HttpConfig http, StorageConfig storage) {
        this(version, log, http, storage, ProxyConfig.none());
    }

    public NodeConfig withProxy(ProxyConfig proxy) {
        return new NodeConfig(version, log, http, storage, proxy, cluster, gc, auth);
    }

    /** What a node runs with when there is no config file and no environment override. */
    public static NodeConfig defaults() {
        return new NodeConfig(VERSION, LogConfig.defaults(), HttpConfig.defaults(), StorageConfig.defaults());
    }

    public NodeConfig withHttp(HttpConfig http) {
        return new NodeConfig(version, log, http, storage, proxy, cluster, gc, auth);
    }

    public NodeConfig withStorage(StorageConfig storage) {
        return new NodeConfig(version, log, http, storage, proxy, cluster, gc, auth);
    }

    public NodeConfig withCluster(Optional<ClusterSettings> cluster) {
        return new NodeConfig(version, log, http, storage, proxy, cluster, gc, auth);
    }

    public NodeConfig withAuth(AuthConfig auth) {
        return new NodeConfig(version, log, http, storage, proxy, cluster, gc, auth);
    }

    public NodeConfig withGc(GcConfig gc) {
        return new NodeConfig(version, log, http, storage, proxy, cluster, gc, auth);
    }
}
