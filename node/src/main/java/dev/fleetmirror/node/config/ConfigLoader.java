package dev.fleetmirror.node.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.fleetmirror.storage.s3.S3StorageConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds {@link NodeConfig} from a Distribution-style YAML file (keys and meanings as in
 * {@code registry:2}'s config.yml) and {@code REGISTRY_*} environment overrides. Keys of
 * Distribution this node does not implement are accepted with one warning each, so an existing
 * config.yml starts as is; values that cannot be used stop start-up with the key's name.
 */
public final class ConfigLoader {
    private static final Logger LOG = LoggerFactory.getLogger(ConfigLoader.class);
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private ConfigLoader() {
    }

    /**
     * @param file the config file, or empty for defaults plus environment
     * @param env  the process environment (injectable for tests); only {@code REGISTRY_*} entries matter
     * @throws ConfigException naming the file or key when the configuration cannot be used
     */
    public static NodeConfig load(Optional<Path> file, Map<String, String> env) {
        ConfigTree tree = file.map(ConfigLoader::parse).orElseGet(ConfigTree::empty);
        tree.applyEnvironment(env);
        ProxyConfig proxy = ProxyConfigReader.read(tree);
        if (file.isEmpty() && !proxy.enabled()) {
            // The embedded default mirrors Docker Hub under docker.io/ and hosts every other name.
            proxy = proxy.withUpstreams(List.of(UpstreamConfig.dockerHubMirror()));
        }
        NodeConfig config = read(tree).withProxy(proxy);
        refuseAnonymousPrivateUpstreams(config);
        for (String key : tree.unknownKeys()) {
            LOG.warn("configuration key '{}' is not supported by Fleet Mirror and is ignored", key);
        }
        return config;
    }

    /** Go's duration syntax ({@code 90s}, {@code 1h30m}), as the config reads it; a mistake names {@code key}. */
    public static java.time.Duration duration(String key, String value) {
        return ProxyConfigReader.duration(key, value);
    }

    /** Parses YAML text, with {@code env} overrides; for tests and embedding. */
    public static NodeConfig fromYaml(String yaml, Map<String, String> env) {
        ConfigTree tree = parseText(yaml, "configuration");
        tree.applyEnvironment(env);
        NodeConfig config = read(tree).withProxy(ProxyConfigReader.read(tree));
        refuseAnonymousPrivateUpstreams(config);
        for (String key : tree.unknownKeys()) {
            LOG.warn("configuration key '{}' is not supported by Fleet Mirror and is ignored", key);
        }
        return config;
    }

    private static ConfigTree parse(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException("configuration file " + file + " does not exist", e);
        } catch (IOException e) {
            throw new ConfigException("cannot read configuration file " + file + ": " + e.getMessage(), e);
        }
        return parseText(text, "configuration file " + file);
    }

    private static ConfigTree parseText(String text, String source) {
        JsonNode root;
        try {
            root = YAML.readTree(text);
        } catch (JsonProcessingException e) {
            throw new ConfigException(source + " is not valid YAML: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")"), e);
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            return ConfigTree.empty();
        }
        if (!(root instanceof ObjectNode object)) {
            throw new ConfigException(source + " must be a YAML mapping of keys (version, http, storage, ...)", (Throwable) null);
        }
        return new ConfigTree(object);
    }

    private static NodeConfig read(ConfigTree tree) {
        String version = tree.text("version").map(String::trim).orElse(NodeConfig.VERSION);
        if (!version.equals(NodeConfig.VERSION)) {
            throw new ConfigException("version", "'" + version + "' is not supported; use " + NodeConfig.VERSION);
        }
        LogConfig log = new LogConfig(tree.text("log.level").map(v -> LogConfig.Level.parse("log.level", v))
                .orElse(LogConfig.defaults().level()), !tree.bool("log.accesslog.disabled", false),
                tree.text("log.formatter").map(v -> LogConfig.Format.parse("log.formatter", v)).orElse(LogConfig.Format.TEXT));
        Optional<String> secret = tree.text("http.secret").filter(s -> !s.isEmpty());
        HttpConfig http = HttpConfig.parseAddr("http.addr", tree.text("http.addr").orElse(HttpConfig.DEFAULT_ADDR), secret)
                .readSecurity(tree);
        StorageBackend backend = readBackend(tree);
        StorageConfig storage = new StorageConfig(
                backend,
                tree.bool("storage.delete.enabled", true),
                tree.bool("storage.maintenance.readonly.enabled", false),
                tree.bool("storage.redirect.disable", true),
                UploadPurgingConfig.read(tree),
                LocalCacheConfig.read(tree, backend instanceof StorageBackend.S3, ProxyConfigReader.spoolDirectory(tree)));
        return new NodeConfig(version, log, http, storage).withCluster(ClusterConfigReader.read(tree))
                .withGc(GcConfig.read(tree)).withAuth(AuthConfigReader.read(tree));
    }

    /**
     * An upstream with credentials caches what only that account may read: without client
     * authentication anyone reaching the node could pull it. Such a node does not start unless the
     * operator says {@code allowAnonymousPrivateUpstream: true}.
     */
    static void refuseAnonymousPrivateUpstreams(NodeConfig config) {
        if (config.auth().enabled() || config.proxy().allowAnonymousPrivateUpstream()) {
            return;
        }
        for (UpstreamConfig upstream : config.proxy().upstreams()) {
            if (upstream.username().isPresent() && upstream.privacy().isPrivate()) {
                throw new ConfigException("auth", "upstream '" + upstream.name() + "' has credentials, so what it caches"
                        + " may be private, and no client authentication is configured: anyone reaching this node could"
                        + " pull it. Add an auth: section (htpasswd or token) with access: rules, set private: false on"
                        + " the upstream if its content is public, or set allowAnonymousPrivateUpstream: true to accept this");
            }
        }
    }

    /** The one place that knows each backend's keys. Exactly one backend may be configured. */
    static StorageBackend readBackend(ConfigTree tree) {
        if (tree.has("storage.filesystem") && tree.has("storage.s3")) {
            throw new ConfigException("storage", "configure one backend, storage.filesystem or storage.s3, not both");
        }
        if (tree.has("storage.s3")) {
            try {
                return new StorageBackend.S3(S3StorageConfig.fromSettings(tree.scalars("storage.s3")));
            } catch (IllegalArgumentException e) {
                // The message starts with the key, e.g. "storage.s3.chunksize: ...".
                String message = e.getMessage();
                int colon = message.indexOf(": ");
                throw colon > 0
                        ? new ConfigException(message.substring(0, colon), message.substring(colon + 2))
                        : new ConfigException("storage.s3", message);
            }
        }
        if (tree.has("storage.filesystem")) {
            String root = tree.text("storage.filesystem.rootdirectory")
                    .filter(s -> !s.isBlank())
                    .orElseThrow(() -> new ConfigException("storage.filesystem.rootdirectory",
                            "is required with the filesystem driver (a directory path)"));
            try {
                return new StorageBackend.Filesystem(Path.of(root));
            } catch (java.nio.file.InvalidPathException e) {
                throw new ConfigException("storage.filesystem.rootdirectory", "'" + root + "' is not a path: " + e.getMessage());
            }
        }
        return StorageConfig.defaults().backend();
    }
}
