package dev.fleetmirror.node.cli;

import dev.fleetmirror.node.FleetMirrorNode;
import dev.fleetmirror.node.config.ConfigException;
import dev.fleetmirror.node.config.ConfigLoader;
import dev.fleetmirror.node.config.NodeConfig;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code fleetmirror serve [config.yml]}: runs a node until SIGTERM/SIGINT, then closes the HTTP
 * server and Vert.x. Returns once the node is listening; Vert.x's threads keep the JVM alive.
 */
@Command(name = "serve",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {"Serve the registry until stopped (SIGTERM or Ctrl-C).",
                "",
                "CONFIG uses CNCF Distribution's keys: version, log.level, http.addr,",
                "http.secret, storage.filesystem.rootdirectory, storage.delete.enabled,",
                "storage.maintenance.readonly.enabled, storage.redirect.disable,",
                "proxy.remoteurl/username/password/ttl (mirror one registry: every",
                "repository), proxy.tagttl, proxy.spooldirectory, and an upstreams: list",
                "(name, url, username, password, prefix, tlsverify) of prefix-routed mirrors.",
                "REGISTRY_<KEY_PATH> environment variables override them",
                "(e.g. REGISTRY_HTTP_ADDR=0.0.0.0:5000).",
                "Without CONFIG the node listens on 127.0.0.1:5000 only and stores",
                "data in ./data; set http.addr to :5000 to expose it on all interfaces.",
                ""})
public final class ServeCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);
    private static final long STARTUP_TIMEOUT_MINUTES = 5;

    @Parameters(index = "0", arity = "0..1", paramLabel = "CONFIG",
            description = "configuration file (default: $REGISTRY_CONFIGURATION_PATH, else built-in defaults)")
    Path configFile;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    private final Map<String, String> env;

    public ServeCommand() {
        this(System.getenv());
    }

    ServeCommand(Map<String, String> env) {
        this.env = env;
    }

    @Override
    public Integer call() throws InterruptedException {
        NodeConfig config;
        try {
            Optional<Path> file = Optional.ofNullable(configFile)
                    .or(() -> Optional.ofNullable(env.get("REGISTRY_CONFIGURATION_PATH")).filter(s -> !s.isBlank()).map(Path::of));
            config = ConfigLoader.load(file, env);
        } catch (ConfigException e) {
            spec.commandLine().getErr().println("fleetmirror: invalid configuration: " + e.getMessage());
            spec.commandLine().getErr().flush();
            return 2;
        }
        LogLevels.apply(config.log());
        CountDownLatch started = new CountDownLatch(1);
        AtomicReference<FleetMirrorNode> node = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        FleetMirrorNode.start(config).onComplete(result -> {
            if (result.succeeded()) {
                node.set(result.result());
            } else {
                failure.set(result.cause());
            }
            started.countDown();
        });
        // The main thread only waits to learn the exit code; the node runs on Vert.x's threads.
        if (!started.await(STARTUP_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
            LOG.error("the node did not start within {} minutes", STARTUP_TIMEOUT_MINUTES);
            return 1;
        }
        if (failure.get() != null) {
            LOG.error("cannot start: {}", failure.get().toString());
            LOG.debug("start-up failure", failure.get());
            return 1;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> shutdown(node.get()), "fleetmirror-shutdown"));
        return 0;
    }

    private static void shutdown(FleetMirrorNode node) {
        LOG.info("shutting down");
        CountDownLatch closed = new CountDownLatch(1);
        node.close().onComplete(result -> closed.countDown());
        try {
            if (!closed.await(30, TimeUnit.SECONDS)) {
                LOG.warn("shutdown did not finish within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
